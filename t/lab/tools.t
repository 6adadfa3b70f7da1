#!/usr/bin/perl
# The admin tools on the lab, as an administrator would use them: on the
# broker host x2gobroker-keygen makes the broker's key and this module
# serves it at pubkeys/ over HTTPS; on a fresh X2Go server (no broker key
# authorised) x2gobroker-pubkeyauthorizer fetches it, after which
# x2gobroker-testagent reaches the agent through the forced command.  Then
# testagent says plainly what is wrong: a changed host key, a
# black-holed server, a refused key; and -A adds an unknown host key.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use X2GoLab;

plan skip_all => 'the lab needs root' unless $> == 0;
plan tests => 29;

my $build = $ENV{X2GOB_LAB_BUILD} // "$FindBin::Bin/../..";
my $tools = "$build/tools";
my $so = "$build/.libs/mod_x2gobroker.so";
-x "$tools/x2gobroker-testagent" && -f $so
    or BAIL_OUT("build the tools and the module first ($build)");

my $lab = X2GoLab->new(db => 'sqlite');
$lab->up;
my $W = $lab->dir;
my $KH = $lab->env('LAB_KNOWN_HOSTS');
my $AGENT = '/usr/lib/x2go/x2gobroker-agent';

# Run a command; (exit status, stdout, stderr, seconds).
sub run {
    my @cmd = @_;
    my $t0 = time;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$W/tool.out" or die;
        open STDERR, '>', "$W/tool.err" or die;
        exec @cmd or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $rc = $? >> 8;
    local $/;
    open my $o, '<', "$W/tool.out";
    open my $e, '<', "$W/tool.err";
    return ($rc, scalar <$o> // '', scalar <$e> // '', time - $t0);
}

# --- the broker host ------------------------------------------------------
my $bh = "$W/brokerhome";
make_path($bh);
my ($buid, $bgid) = (getpwnam('x2gobroker'))[2, 3];
chown $buid, $bgid, $bh;
chmod 0755, $bh;
my @BROKER = $lab->broker_host_cmd($bh);

my ($rc, $out, $err) = run(@BROKER, "$tools/x2gobroker-keygen");
is($rc, 0, 'keygen: done');
my ($fp) = $out =~ /(SHA256:\S+)/;
ok($fp, 'keygen: prints the SHA256 fingerprint');
is(sprintf('%04o', (stat "$bh/.ssh/id_ed25519")[2] & 07777), '0600',
   'keygen: ~x2gobroker/.ssh/id_ed25519, mode 0600');
($rc) = run(@BROKER, "$tools/x2gobroker-keygen");
is($rc, 253, 'keygen again without --force: refused (253)');

# the module serves pubkeys/ over HTTPS on the bridge address, reading the
# key at start-up as root (the children run as www-data)
my $ip0 = $lab->env('LAB_BRIDGE_IP');
my $sr = "$W/httpd";
make_path("$sr/logs", "$sr/run");
chmod 0755, $sr, "$sr/run";
system('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
       'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj',
       "/CN=$ip0", '-addext', "subjectAltName=IP:$ip0", '-keyout',
       "$sr/key.pem", '-out', "$sr/cert.pem") == 0
    or BAIL_OUT('openssl req failed');
my $port = do {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "$!";
    $s->sockport;
};
my $lib = qx(apxs -q LIBEXECDIR); chomp $lib;
open my $cf, '>', "$sr/httpd.conf" or die;
print $cf <<"CONF";
ServerRoot $sr
ServerName $ip0
Listen $ip0:$port
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error_log
User www-data
Group www-data
LoadModule mpm_event_module $lib/mod_mpm_event.so
LoadModule authz_core_module $lib/mod_authz_core.so
LoadModule socache_shmcb_module $lib/mod_socache_shmcb.so
LoadModule ssl_module $lib/mod_ssl.so
LoadModule x2gobroker_module $so
SSLEngine on
SSLCertificateFile $sr/cert.pem
SSLCertificateKeyFile $sr/key.pem
<Location /x2gobroker>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $sr/profiles.conf
    Require all granted
</Location>
CONF
close $cf;
open my $pf, '>', "$sr/profiles.conf" or die;
print $pf "[farm]\nname=farm\nhost=$ip0\n";
close $pf;
($rc, $out, $err) = run(@BROKER, '/usr/sbin/apache2', '-d', $sr, '-f',
                        "$sr/httpd.conf", '-k', 'start');
is($rc, 0, 'the broker (httpd with the module) starts') or diag $err;
# the httpd parent, stopped at the end whatever happens (the pid file
# goes with the lab's directory)
# (httpd listens before it detaches and writes its pid file: wait for both)
my $httpd_pid;
for (1 .. 100) {
    if (!$httpd_pid && open my $p, '<', "$sr/run/httpd.pid") {
        ($httpd_pid) = (<$p> // '') =~ /^(\d+)/;
    }
    last if $httpd_pid && IO::Socket::INET->new(PeerAddr => $ip0,
                                                PeerPort => $port,
                                                Timeout => 1);
    sleep 0.1;
}
ok($httpd_pid, 'and answers on the bridge address');
sub stop_httpd {
    return unless $httpd_pid;
    kill 'TERM', $httpd_pid;
    for (1 .. 100) { last unless kill 0, $httpd_pid; sleep 0.1 }
    kill 'KILL', $httpd_pid if kill 0, $httpd_pid;
    $httpd_pid = undef;
}
END { stop_httpd() }

# --- a fresh X2Go server --------------------------------------------------
my $ip2 = $lab->ip(2);
my @TA = (@BROKER, "$tools/x2gobroker-testagent", '--known-hosts', $KH,
          '--timeout', '3');
$lab->agentkey(2, 'off');
($rc, $out, $err) = run(@TA, '-H', $ip2);
is($rc, 5, 'before pubkeyauthorizer: authentication refused (5)');
like($err, qr/authentication as x2gobroker on \Q$ip2\E.* refused/,
     'and testagent says so');

# the servers have a /tmp of their own, and the build may live in /tmp:
# the tool runs from the lab's directory, which every server sees
make_path("$W/bin");
system('cp', "$tools/x2gobroker-pubkeyauthorizer", "$W/bin/") == 0
    or BAIL_OUT('cannot copy x2gobroker-pubkeyauthorizer');
my $PKA = "$W/bin/x2gobroker-pubkeyauthorizer";
my $url = "https://$ip0:$port/x2gobroker/pubkeys/";
($out, $err, $rc) = $lab->exec(2, $PKA, '-t',
                               $url, '--ca-file', "$sr/cert.pem");
is($rc, 0, 'pubkeyauthorizer on the server: done') or diag "$out$err";
my $ak = "$W/srv2/brokerhome/.ssh/authorized_keys";
my $pub = do { local $/; open my $f, '<', "$bh/.ssh/id_ed25519.pub"; <$f> };
my ($ktype, $kb64) = split ' ', $pub;
like(do { local $/; open my $f, '<', $ak; <$f> // '' },
     qr/^command="\Q$AGENT\E",restrict \Q$ktype $kb64\E x2gobroker\@\S+$/m,
     "the server's ~x2gobroker/.ssh/authorized_keys: the key, forced to the agent");
($out, $err, $rc) = $lab->exec(2, $PKA, '-t',
                               "https://$ip0:$port/x2gobroker/pubkeys/");
is($rc, 1, 'pubkeyauthorizer without the CA: the download fails (1)');

($rc, $out, $err) = run(@TA, '-H', $ip2, '-t', 'availabletasks');
is($rc, 0, 'testagent over SSH with the keygen key: done');
is($out, join("\n", qw(availabletasks addauthkey delauthkey listsessions
    findbusyservers findbusyservers_by_sessionstats checkload getservers
    suspendsession terminatesession)) . "\n",
   'the agent answered through the forced command');
my $sid = $lab->session(2, 'x2gotest', 31, 'S');
($rc, $out) = run(@TA, '-H', $ip2, '-t', 'listsessions', '-u', 'x2gotest');
is($rc, 0, 'testagent listsessions: done');
like($out, qr/^\d+\|\Q$sid\E\|31\|xgblab2\|S\|/m, 'and shows the session');

# --- what testagent reports -------------------------------------------------
$lab->rekey(2);
my $newfp = (split ' ', qx(ssh-keygen -lf $W/srv2/ssh/host_ed25519.pub))[1];
($rc, $out, $err) = run(@TA, '-H', $ip2);
is($rc, 4, 'after the server got a new host key: changed (4)');
like($err, qr/host key of \Q$ip2\E has CHANGED: the server shows ssh-ed25519 \Q$newfp\E/,
     'naming the host and the new fingerprint');
is($out, '', 'and runs nothing');
($rc, $out, $err) = run(@TA, '-H', $ip2, '-A');
is($rc, 4, '-A does not accept a changed key either');

$lab->link(3, 'down');
my $t;
($rc, $out, $err, $t) = run(@TA, '-H', $lab->ip(3));
is($rc, 2, 'a black-holed server: unreachable (2)');
like($err, qr/\Q${\ $lab->ip(3)}\E.*unreachable: connection timed out/,
     'says so');
cmp_ok($t, '<', 5, 'within the timeout (3 s), not the TCP default');
$lab->link(3, 'up');

my $kh2 = "$W/known_hosts.empty";
open my $k, '>', $kh2; close $k;
chmod 0644, $kh2;
# testagent drops to the broker account, which owns its known_hosts
chown $buid, $bgid, $kh2;
# xgblab1 still has the lab's own broker key authorised
my @TA2 = (@BROKER, "$tools/x2gobroker-testagent", '--known-hosts', $kh2,
           '-i', $lab->env('LAB_BROKER_KEY'), '--timeout', '3',
           '-H', $lab->ip(1));
($rc, $out, $err) = run(@TA2);
is($rc, 3, 'an unknown host key: refused (3)');
like($err, qr/host key of \Q${\ $lab->ip(1)}\E is unknown/, 'says so');
($rc, $out, $err) = run(@TA2, '-A');
is($rc, 0, '-A: the unknown key is added and the task done');
like(do { local $/; open my $f, '<', $kh2; <$f> // '' },
     qr/^\Q${\ $lab->ip(1)}\E ssh-ed25519 AAAA/m, 'known_hosts got the entry');
($rc) = run(@TA2);
is($rc, 0, 'and the next call needs no -A');
# a key marked @revoked is refused, also with -A
my ($kline) = grep { /^\Q${\ $lab->ip(1)}\E / }
              split /\n/, do { local $/; open my $f, '<', $kh2; <$f> };
open $k, '>>', $kh2;
print $k "\@revoked $kline\n";
close $k;
($rc, $out, $err) = run(@TA2, '-A');
is($rc, 4, 'a host key listed as @revoked: refused (4)');
like($err, qr/host key of \Q${\ $lab->ip(1)}\E is REVOKED/, 'says so');

stop_httpd();
$lab->down;
