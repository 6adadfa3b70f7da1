# tools_testagent.t - x2gobroker-testagent (spec 8.3) and, through it,
# the SSH client library (xgb_sshclient): the local agent (the built one
# and small scripts), remote agents behind a throwaway sshd on 127.0.0.1
# whose forced commands are small scripts or the built agent, and the
# whole chain keygen -> pubkeys/ over HTTPS -> pubkeyauthorizer ->
# testagent.
#
# Accounts: x2gbtabrk is the broker account (the tool runs as root and
# becomes it), x2gbtasrv the agent login on the "X2Go server" (the
# sshd).  Each check asserts one exit status and one message.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use File::Copy qw(copy);
use File::Path qw(make_path);
use IO::Socket::INET ();
use Time::HiRes ();
use X2GoBTest;
use X2GoBTest::Httpd;
use X2GoBTest::Sshd;
use X2GoBTest::Tools;

my $T = tool('x2gobroker-testagent');
my $K = tool('x2gobroker-keygen');
my $P = tool('x2gobroker-pubkeyauthorizer');
my $AGENT = agent_bin();
plan tests => 82, need 'x2gobroker',
    { 'services from t/run-suite' => \&have_env,
      'tools and agent built' => sub { -x $T && -x $K && -x $P && -x $AGENT },
      'mod_ssl' => sub { -f X2GoBTest::Httpd::libexecdir() . '/mod_ssl.so' },
      'OpenSSH server' => sub { -x '/usr/sbin/sshd' } };

my $base = scratch() . '/ta';
my ($BRK, $SRV) = ('x2gbtabrk', 'x2gbtasrv');
my ($buid, $bgid) = make_account($BRK, "$base/broker");
make_account($SRV, "$base/server");
END { drop_account($BRK); drop_account($SRV) }

my %env = (X2GOBROKER_DAEMON_USER => $BRK, X2GOBROKER_DAEMON_GROUP => $BRK,
           X2GOBROKER_AGENT_USER => $SRV, X2GOBROKER_AGENT_CMD => undef);
sub ta { run_cmd([$T, @_], env => \%env) }
sub ta_env { my $e = shift; run_cmd([$T, @_], env => { %env, %$e }) }
sub elapsed { my $t0 = Time::HiRes::time(); my $r = shift->(); ($r, Time::HiRes::time() - $t0) }

# --- fixtures: scripts as forced commands, client keys, known_hosts dir ---
make_path("$base/bin", "$base/keys", "$base/authkeys", "$base/kh");
my %script = (
    ok     => qq{echo OK\necho "\$SSH_ORIGINAL_COMMAND"\n},
    err    => qq{echo "x2gobroker-agent: simulated failure" >&2\nexit 5\n},
    notok  => qq{echo FAILED\n},
    slow   => qq{sleep 4\necho OK\n},
    whoami => qq{echo OK\nid -un\nid -Gn\n},
);
for my $s (keys %script) {
    spew("$base/bin/$s.sh", "#!/bin/sh\n$script{$s}");
    chmod 0755, "$base/bin/$s.sh";
}
sub client_key {
    my ($name, @opt) = @_;
    my $r = run_cmd(['ssh-keygen', '-q', @opt, '-N', '', '-C', $name, '-f',
                     "$base/keys/$name"]);
    die "ssh-keygen: $r->{err}" if $r->{status};
    chmod 0600, "$base/keys/$name";     # root's: read before the drop
    return "$base/keys/$name";
}
my $ed = client_key('ed25519', '-t', 'ed25519');
my $ecpem = client_key('ecdsa_pem', '-t', 'ecdsa', '-m', 'PEM');
my $ecossh = client_key('ecdsa_openssh', '-t', 'ecdsa');
my $wrong = client_key('wrong', '-t', 'ed25519');
like(slurp($ed), qr/\A-----BEGIN OPENSSH PRIVATE KEY-----/, 'fixture: ed25519 key in OpenSSH format');
like(slurp($ecpem), qr/\A-----BEGIN EC PRIVATE KEY-----/, 'fixture: ecdsa key in PEM');
chown $buid, $bgid, "$base/kh";
my $kh = "$base/kh/known_hosts";

# The agent login's authorized_keys: every client key with one forced
# command (restrict = no pty, no forwarding).
sub authorize {
    my $cmd = shift;
    my $text = '';
    for my $k ($ed, $ecpem, $ecossh) {
        my ($t, $b) = split ' ', slurp("$k.pub");
        $text .= qq{command="$cmd",restrict $t $b\n};
    }
    spew("$base/authkeys/$SRV", $text);
}
authorize("$base/bin/ok.sh");

my $sshd = X2GoBTest::Sshd->new(name => 'ta', users => [$SRV],
    authorized_keys => "$base/authkeys/%u %h/.ssh/authorized_keys");
my ($ok, $why) = $sshd->start;
ok($ok, 'throwaway sshd started') or diag $why;
my $port = $sshd->port;
my $where = "the agent on 127.0.0.1 port $port";
my $hostfp = $sshd->host_fingerprint('ed25519');
my @remote = ('-H', '127.0.0.1', '-p', $port, '--known-hosts', $kh);
my $PING = "sh -c '/usr/lib/x2go/x2gobroker-agent foo ping'\n";

# --- host keys: unknown, added, known, hashed --------------------------------
my $r = ta(@remote, '-i', $ed);
is($r->{status}, 3, 'unknown host key (REJECT): exit 3');
is($r->{err}, "x2gobroker-testagent: host key of [127.0.0.1]:$port is unknown: "
   . "ssh-ed25519 $hostfp is not listed in $kh (run with -A to add it)\n",
   'unknown host key: type and SHA256 fingerprint named');
ok(!-e $kh, 'unknown host key: known_hosts not created');

$r = ta(@remote, '-i', $ed, '-A');
is($r->{status}, 0, '-A: exit 0') or diag $r->{err};
is($r->{err}, "x2gobroker-testagent: added the host key of [127.0.0.1]:$port "
   . "(ssh-ed25519 $hostfp) to $kh\nx2gobroker-testagent: $where: ping done\n",
   '-A: key added, task done');
is($r->{out}, $PING, 'the agent got the broker\'s command line (spec 6.1)');
is(slurp($kh), "[127.0.0.1]:$port " . $sshd->host_key('ed25519') . "\n",
   '-A: known_hosts line as OpenSSH writes it');
my @st = stat $kh;
is("$st[4]:$st[5]", "$buid:$bgid", '-A: written as the broker account (root dropped)');
is(run_cmd(['ssh-keygen', '-F', "[127.0.0.1]:$port", '-f', $kh])->{status}, 0,
   'ssh-keygen -F finds the entry');

$r = ta(@remote, '-i', $ed);
is($r->{status}, 0, 'known host key: exit 0');
is($r->{err}, "x2gobroker-testagent: $where: ping done\n", 'known host key: done');

$r = run_cmd(['ssh-keygen', '-H', '-f', $kh]);
unlink "$kh.old";
like(slurp($kh), qr/\A\|1\|/, 'fixture: known_hosts hashed');
$r = ta(@remote, '-i', $ed);
is($r->{status}, 0, 'hashed known_hosts entry: exit 0');
is($r->{err}, "x2gobroker-testagent: $where: ping done\n", 'hashed entry: done');

# --- client keys ----------------------------------------------------------
$r = ta(@remote, '-i', $ecpem);
is($r->{status}, 0, 'ECDSA key in PEM: exit 0');
is($r->{out}, $PING, 'ECDSA key in PEM: the command ran');
$r = ta(@remote, '-i', $ecossh);
is($r->{status}, 0, 'ECDSA key in OpenSSH format: exit 0');
is($r->{out}, $PING, 'ECDSA key in OpenSSH format: the command ran');

my $wrongfp = ssh_fingerprint("$wrong.pub");
$r = ta(@remote, '-i', $wrong);
is($r->{status}, 5, 'key not authorized: exit 5');
is($r->{err}, "x2gobroker-testagent: authentication as $SRV on 127.0.0.1 port "
   . "$port refused for key ssh-ed25519 $wrongfp\n", 'key not authorized: message');

$r = ta(@remote, '-i', "$base/keys/nosuch");
is($r->{status}, 7, 'key file missing: exit 7');
is($r->{err}, "x2gobroker-testagent: private key $base/keys/nosuch does not exist\n",
   'key file missing: message');
$r = ta(@remote, '-i', "$ed.pub");
is($r->{status}, 7, 'not a private key: exit 7');
is($r->{err}, "x2gobroker-testagent: cannot use the private key: no unencrypted "
   . "PEM private key\n", 'not a private key: message');

# --- unreachable and silent hosts ---------------------------------------------
my $closed = free_port();
$r = ta('-H', '127.0.0.1', '-p', $closed, '--known-hosts', $kh, '-i', $ed);
is($r->{status}, 2, 'closed port: exit 2');
is($r->{err}, "x2gobroker-testagent: 127.0.0.1 port $closed unreachable: "
   . "Connection refused\n", 'closed port: message');
$r = ta('-H', 'x2gb-no-such-host.invalid', '--known-hosts', $kh, '-i', $ed);
is($r->{status}, 2, 'unknown host name: exit 2');
like($r->{err}, qr/\Ax2gobroker-testagent: x2gb-no-such-host\.invalid port 22 unreachable: cannot resolve x2gb-no-such-host\.invalid: [^\n]+\n\z/,
     'unknown host name: message');

# a port that accepts connections but never speaks SSH
my $silent = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                   LocalPort => 0, Proto => 'tcp')
    or die "listen: $!";
my $sport = $silent->sockport;
my $dt;
($r, $dt) = elapsed(sub { ta('-H', '127.0.0.1', '-p', $sport, '--known-hosts',
                             $kh, '-i', $ed, '--timeout', '1') });
is($r->{status}, 6, 'silent server: exit 6');
is($r->{err}, "x2gobroker-testagent: 127.0.0.1 port $sport: timed out during "
   . "the SSH handshake\n", 'silent server: handshake timed out');
cmp_ok($dt, '<', 3, 'silent server: bounded by --timeout 1');
close $silent;

# --- agent failures ---------------------------------------------------------
authorize("$base/bin/err.sh");
$r = ta(@remote, '-i', $ed);
is($r->{status}, 1, 'agent writes to stderr: exit 1');
is($r->{err}, "x2gobroker-testagent: $where failed: x2gobroker-agent: simulated failure\n",
   'agent writes to stderr: its message shown');
authorize("$base/bin/notok.sh");
$r = ta(@remote, '-i', $ed);
is($r->{status}, 1, 'agent does not answer OK: exit 1');
is($r->{err}, "x2gobroker-testagent: $where did not answer OK: its first line is \"FAILED\"\n",
   'agent does not answer OK: message');
authorize("$base/bin/slow.sh");
($r, $dt) = elapsed(sub { ta(@remote, '-i', $ed, '--timeout', '2') });
is($r->{status}, 6, 'agent hangs: exit 6');
is($r->{err}, "x2gobroker-testagent: 127.0.0.1 port $port: the command did not "
   . "finish within 2000 ms\n", 'agent hangs: message');
cmp_ok($dt, '<', 5, 'agent hangs: bounded by --timeout 2');

# the built agent as forced command: it parses SSH_ORIGINAL_COMMAND itself
authorize($AGENT);
$r = ta(@remote, '-i', $ed);
is($r->{status}, 0, 'built agent over SSH, ping: exit 0') or diag $r->{err};
is($r->{out} . $r->{err}, "x2gobroker-testagent: $where: ping done\n",
   'built agent over SSH, ping: OK and nothing else');
$r = ta(@remote, '-i', $ed, '-t', 'checkload');
is($r->{status}, 0, 'built agent over SSH, checkload: exit 0');
like($r->{out}, qr/\AloadavgXX:\d+\nmemAvail:\d+\nmyMemAvail:\d+\nnumCPU:\d+\ntypeCPU:\d+\n\z/,
     'built agent over SSH, checkload: the five lines');

# --- a changed host key: refused, with and without -A ------------------------
authorize("$base/bin/ok.sh");
spew($kh, "[127.0.0.1]:$port " . $sshd->host_key('ed25519') . "\n");
$sshd->stop;
$sshd->new_host_key('ed25519');
($ok, $why) = $sshd->start;
ok($ok, 'sshd restarted with a new host key') or diag $why;
my $newfp = $sshd->host_fingerprint('ed25519');
isnt($newfp, $hostfp, 'fixture: the host key differs');
my $before = slurp($kh);
my $changed = "x2gobroker-testagent: host key of [127.0.0.1]:$port has CHANGED: "
    . "the server shows ssh-ed25519 $newfp, but $kh lists another ssh-ed25519 "
    . "key for it (someone may be intercepting the connection); refusing to "
    . "connect\n";
$r = ta(@remote, '-i', $ed);
is($r->{status}, 4, 'changed host key: exit 4');
is($r->{err}, $changed, 'changed host key: both keys\' type, new fingerprint');
$r = ta(@remote, '-i', $ed, '-A');
is($r->{status}, 4, 'changed host key with -A: still exit 4');
is($r->{err}, $changed, 'changed host key with -A: same message');
is(slurp($kh), $before, 'changed host key: known_hosts untouched');
# a key for port 22 of the same address does not count for this port
spew($kh, "127.0.0.1 " . $sshd->host_key('ed25519') . "\n");
$r = ta(@remote, '-i', $ed);
is($r->{status}, 3, 'entry for port 22 only: exit 3 (unknown on this port)');

# --- the local agent --------------------------------------------------------
$r = ta_env({ X2GOBROKER_AGENT_CMD => $AGENT });
is($r->{status}, 0, 'LOCAL ping with the built agent: exit 0') or diag $r->{err};
is($r->{out} . $r->{err}, "x2gobroker-testagent: the local agent $AGENT: ping done\n",
   'LOCAL ping: done, no output lines');
$r = ta_env({ X2GOBROKER_AGENT_CMD => $AGENT }, '--list-tasks');
is($r->{status}, 0, 'LOCAL --list-tasks: exit 0');
is($r->{out}, join('', map { "$_\n" } qw(availabletasks addauthkey delauthkey
   listsessions findbusyservers findbusyservers_by_sessionstats checkload
   getservers suspendsession terminatesession)), 'LOCAL --list-tasks: the tasks');
$r = ta_env({ X2GOBROKER_AGENT_CMD => "$base/bin/whoami.sh" });
is($r->{status}, 0, 'LOCAL as root: exit 0');
is($r->{out}, "$BRK\n$BRK\n", 'LOCAL as root: the agent runs as the broker account, its group only');
$r = ta_env({ X2GOBROKER_AGENT_CMD => "$base/bin/err.sh" });
is($r->{status}, 1, 'LOCAL agent error: exit 1');
is($r->{err}, "x2gobroker-testagent: the local agent $base/bin/err.sh failed: "
   . "x2gobroker-agent: simulated failure\n", 'LOCAL agent error: message');
$r = ta_env({ X2GOBROKER_AGENT_CMD => "$base/bin/nosuch" });
is($r->{status}, 7, 'LOCAL agent missing: exit 7');
is($r->{err}, "x2gobroker-testagent: cannot execute the agent $base/bin/nosuch: "
   . "No such file or directory\n", 'LOCAL agent missing: message');

# --- invalid arguments --------------------------------------------------------
$r = ta('-t', 'bogus');
is($r->{status}, 254, 'unknown task: exit 254');
is($r->{err}, "x2gobroker-testagent: unknown task bogus (see --list-tasks)\n",
   'unknown task: message');
$r = ta('-t', 'listsessions');
is($r->{status}, 254, 'listsessions without -u: exit 254');
is($r->{err}, "x2gobroker-testagent: task listsessions needs a user name (-u)\n",
   'listsessions without -u: message');
$r = ta('-t', 'suspendsession', '-u', 'alice');
is($r->{status} . ' ' . $r->{err}, "254 x2gobroker-testagent: task "
   . "suspendsession needs --session-id\n",
   'suspendsession without --session-id: exit 254 and message');
$r = ta('-p', '0');
is($r->{status} . ' ' . $r->{err}, "254 x2gobroker-testagent: invalid port 0\n",
   'port 0: exit 254 and message');

# --- end to end: keygen -> pubkeys/ over HTTPS -> pubkeyauthorizer -> testagent
spew("$base/authkeys/$SRV", '');
# pubkeyauthorizer forces the agent at its installed path: the built one
# is there for this sshd
$sshd->stop;
$sshd->bind_over('/usr/lib/x2go/x2gobroker-agent', $AGENT);
($ok, $why) = $sshd->start;
ok($ok, 'e2e: sshd restarted with the built agent at the installed path') or diag $why;
$r = run_cmd([$K], env => \%env);
is($r->{status}, 0, 'e2e: keygen made the broker\'s ed25519 key') or diag $r->{err};
my $brkssh = "$base/broker/.ssh";
my $keyfp = ssh_fingerprint("$brkssh/id_ed25519.pub");
make_path("$base/served");
copy("$brkssh/id_ed25519", "$base/served/id_ed25519") or die "copy: $!";
chown 0, scalar getgrnam('www-data'), "$base/served", "$base/served/id_ed25519";
chmod 0750, "$base/served";
chmod 0640, "$base/served/id_ed25519";
my ($crt, $tlskey) = make_cert("$base/tls", 'broker');
my $dir = t_dir();
my $h = X2GoBTest::Httpd->new(name => 'ta', modules => ['ssl'], conf => <<"EOF");
SSLEngine on
SSLCertificateFile $crt
SSLCertificateKeyFile $tlskey
<Location /xgb>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $dir/data/profiles.conf
    X2GoBrokerSSHKeyFile $base/served/id_ed25519
    X2GoBrokerDaemonUser $BRK
    X2GoBrokerAgentCmd $AGENT
</Location>
EOF
($ok, $why) = $h->start;
ok($ok, 'e2e: HTTPS broker started') or diag $why, $h->error_log;
my $url = 'https://127.0.0.1:' . $h->port . '/xgb/pubkeys/';
$r = run_cmd([$P, '-t', $url, '--ca-file', $crt],
             env => { X2GOBROKER_DAEMON_USER => $SRV, X2GOBROKER_DAEMON_GROUP => $SRV });
is($r->{status}, 0, 'e2e: pubkeyauthorizer authorized the broker key') or diag $r->{err};
like(slurp("$base/server/.ssh/authorized_keys"),
     qr/\Acommand="\/usr\/lib\/x2go\/x2gobroker-agent",restrict ssh-ed25519 \S+ \Q$BRK\E\@\S+\n\z/,
     'e2e: the server\'s authorized_keys holds the key, forced to the installed agent');
# no -i, no --known-hosts: the broker account's own files
$r = ta('-H', '127.0.0.1', '-p', $port, '-A');
is($r->{status}, 0, 'e2e: testagent reached the agent with the keygen key') or diag $r->{err};
is($r->{err}, "x2gobroker-testagent: added the host key of [127.0.0.1]:$port "
   . "(ssh-ed25519 $newfp) to $brkssh/known_hosts\n"
   . "x2gobroker-testagent: $where: ping done\n", 'e2e: host key added, ping done');
like($sshd->log_text, qr/Accepted publickey for $SRV from 127\.0\.0\.1 port \d+ ssh2: ED25519 \Q$keyfp\E/,
     'e2e: sshd accepted exactly the keygen key');
$r = ta('-H', '127.0.0.1', '-p', $port, '-t', 'checkload');
is($r->{status}, 0, 'e2e: checkload through the forced command: exit 0');
like($r->{out}, qr/\AloadavgXX:\d+\nmemAvail:\d+\nmyMemAvail:\d+\nnumCPU:\d+\ntypeCPU:\d+\n\z/,
     'e2e: checkload output');

# the broker account's key swapped for a symlink to a key of root's: the
# tool reads the account's files as the account, never through a link
rename "$brkssh/id_ed25519", "$brkssh/id_ed25519.real" or die;
symlink $ed, "$brkssh/id_ed25519" or die;
$r = ta('-H', '127.0.0.1', '-p', $port, '-t', 'ping');
is($r->{status}, 7, 'e2e: the account\'s key a symlink: exit 7');
is($r->{err}, "x2gobroker-testagent: $brkssh/id_ed25519 is a symbolic link: refusing to use it\n",
   'e2e: the account\'s key a symlink: refused, and said so');
unlink "$brkssh/id_ed25519";
rename "$brkssh/id_ed25519.real", "$brkssh/id_ed25519" or die;

$h->stop;
$sshd->stop;
ok(!$sshd->pid, 'sshd stopped');
