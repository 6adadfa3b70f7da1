# Real X2Go clients against mod_x2gobroker (test lab, section 9):
#  - pyhoca-cli --list-profiles through /diff/01/json/inifile/ (testsuite
#    auth test/sweet): every profile ID and name of t/data/corpus/01.conf;
#    a wrong password lists nothing;
#  - python-x2go's HTTP broker backend (the code pyhoca-cli and PyHoca-GUI
#    use) driven directly from /usr/bin/python3: authenticates, follows the
#    AUTHID cookie chain, lists the profiles and selects every one of them
#    (pyhoca-cli -P would go on to SSH into the selected server);
#  - x2goclient headless (QT_QPA_PLATFORM=offscreen) with --broker-noauth
#    through /clients/noauth/plain/inifile/ (auth mech none): it must read
#    all 5 sessions ("Reading 5 sessions from config file").
# The clients run as an unprivileged user (x2gotest, created when missing)
# with PATH=/usr/sbin:/usr/bin:/sbin:/bin and a scratch HOME.
#
# X2GOB_CLIENTS_SELFTEST=1 runs the same against the reference broker
# instead of httpd (to check this test itself).

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use File::Temp qw(tempdir);
use JSON::PP ();
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

use X2GoReference;

my $SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
$ENV{PATH} = "$SAFE_PATH:" . ($ENV{PATH} || '');
my $SELFTEST = $ENV{X2GOB_CLIENTS_SELFTEST};
my $CLIENT_USER = 'x2gotest';

# The profiles of t/data/corpus/01.conf and what selecting them gives.
my %NAMES = (
    'p1-kde'           => 'KDE - srv1',
    'p2-mate'          => 'MATE - srv2',
    'p3-xfce'          => 'XFCE - srv3',
    'p4-terminal-farm' => 'Terminal - farm',
    'p5-rdp'           => 'RDP via srv1',
);
my %SELECT = (
    'p1-kde'  => [ '10.200.0.11', '22' ],
    'p2-mate' => [ '10.200.0.12', '22' ],
    'p3-xfce' => [ '10.200.0.13', '2203' ],
    'p5-rdp'  => [ '10.200.0.11', '22' ],
);
my %FARM = map { $_ => 1 } qw(10.200.0.11 10.200.0.12 10.200.0.13);

# ------------------------------------------------------------------------
my ($json_url, $noauth_url, $port);
my @refs;
if ($SELFTEST) {
    plan skip_all => 'reference broker not installed'
        unless X2GoReference::available();
    my $f = "$FindBin::Bin/data/corpus/01.conf";
    my $ts = X2GoReference->new(profiles => $f, name => 'cl-ts',
        global => { 'default-auth-mech' => 'testsuite' })->start;
    my $na = X2GoReference->new(profiles => $f, name => 'cl-none',
        global => { 'default-auth-mech' => 'none' })->start;
    @refs = ($ts, $na);
    $_->wait_ready(30) or BAIL_OUT($_->error) for @refs;
    $json_url = 'http://test@127.0.0.1:' . $ts->port . '/json/inifile/';
    $noauth_url = 'http://test@127.0.0.1:' . $na->port . '/plain/inifile/';
}
else {
    require Apache::Test;
    my $cfg = Apache::Test::config();
    plan skip_all => 'mod_x2gobroker not built/loaded'
        unless $cfg->{modules}{'mod_x2gobroker.c'};
    $port = Apache::Test::vars('port');
    $json_url = "http://test\@127.0.0.1:$port/diff/01/json/inifile/";
    $noauth_url = "http://test\@127.0.0.1:$port/clients/noauth/plain/inifile/";
}

# The unprivileged account the clients run as.  setpriv also makes the
# client's `timeout` get SIGTERM (and pass it on) should this test die.
my @run_as = ('/usr/bin/setpriv', '--pdeathsig', 'TERM');
if ($> == 0) {
    unless (getpwnam($CLIENT_USER)) {
        system('useradd', '-m', '-s', '/bin/bash', $CLIENT_USER) == 0
            or plan skip_all => "cannot create user $CLIENT_USER";
    }
    push @run_as, "--reuid=$CLIENT_USER", "--regid=$CLIENT_USER",
        '--init-groups';
}

my $HOME = tempdir('x2gobclients-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $HOME;
if ($> == 0) {
    my (undef, undef, $uid, $gid) = getpwnam($CLIENT_USER);
    chown $uid, $gid, $HOME;
}

my %live;   # pid => 1 of every client process we spawned

# Every process below $pid (by parent PID), found through /proc.
sub descendants
{
    my $root = shift;
    my %kids;
    opendir my $dh, '/proc' or return ();
    for my $p (grep { /^\d+$/ } readdir $dh) {
        open my $fh, '<', "/proc/$p/stat" or next;
        my $st = <$fh>;
        close $fh;
        next unless defined $st && $st =~ /\)\s+\S+\s+(\d+)/;
        push @{ $kids{$1} }, $p;
    }
    closedir $dh;
    my @out;
    my @todo = ($root);
    while (@todo) {
        my $p = shift @todo;
        for my $k (@{ $kids{$p} || [] }) {
            push @out, $k;
            push @todo, $k;
        }
    }
    return @out;
}

# Kill a spawned client and everything it started.  x2goclient's
# "--unixhelper" child ignores SIGTERM and leaves the process group, so
# descendants are collected first and killed one by one.
sub reap
{
    my $pid = shift;
    return unless $live{$pid};
    my @all = descendants($pid);
    kill 'TERM', $pid, @all;
    my $deadline = time + 3;
    while (time < $deadline) {
        last if waitpid($pid, WNOHANG) == $pid;
        sleep 0.05;
    }
    kill 'KILL', $pid, grep { kill 0, $_ } @all;
    kill 'KILL', $pid;
    waitpid($pid, 0);
    delete $live{$pid};
}

END {
    local $?;
    reap($_) for keys %live;
    X2GoReference::stop_all(@refs) if @refs;
}

# KILL leftover client processes by PID, but only ours (same account and
# still an X2Go client), in case a PID was reused meanwhile.
sub kill_strays
{
    for my $p (@_) {
        next unless kill 0, $p;
        my @st = stat "/proc/$p" or next;
        my $uid = $> == 0 ? (getpwnam($CLIENT_USER))[2] : $>;
        next unless $st[4] == $uid;
        my $cmd = slurp("/proc/$p/cmdline");
        next unless $cmd =~ /x2goclient|pyhoca|python3/;
        kill 'KILL', $p;
    }
}

# Start a client (argv) as the client user with a clean environment;
# stdout+stderr go to $log.  Returns the PID.
sub spawn
{
    my ($log, $env, @argv) = @_;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        setpgrp(0, 0);
        chdir $HOME;
        %ENV = (PATH => $SAFE_PATH, HOME => $HOME, LANG => 'C.UTF-8',
                USER => $CLIENT_USER, LOGNAME => $CLIENT_USER, %$env);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $log;
        open STDERR, '>&', \*STDOUT;
        exec @run_as, @argv or POSIX::_exit(127);
    }
    $live{$pid} = 1;
    return $pid;
}

# Run a client to completion (bounded by `timeout`); returns (rc, output).
sub run_client
{
    my ($name, $env, $secs, @argv) = @_;
    my $log = "$HOME/$name.log";
    my $pid = spawn($log, $env, 'timeout', '-k', '5', $secs, @argv);
    my %desc;
    while (waitpid($pid, WNOHANG) != $pid) {
        $desc{$_} = 1 for descendants($pid);
        sleep 0.1;
    }
    my $rc = $? >> 8;
    delete $live{$pid};
    kill_strays(keys %desc);
    return ($rc, slurp($log));
}

sub slurp
{
    open my $fh, '<', $_[0] or return '';
    local $/;
    my $s = <$fh>;
    close $fh;
    return defined $s ? $s : '';
}

sub have { my $p = shift; -x "/usr/bin/$p" }

# ------------------------------------------------------------------------
# pyhoca-cli --list-profiles
SKIP: {
    skip 'pyhoca-cli not installed', 4 unless have('pyhoca-cli');
    my ($rc, $out) = run_client('pyhoca-list', { DISPLAY => ':99' }, 60,
        'pyhoca-cli', '-B', $json_url, '--broker-password', 'sweet',
        '--list-profiles');
    is($rc, 0, 'pyhoca-cli --list-profiles exits 0') or diag($out);
    my %ids = map { $_ => 1 } $out =~ /^Profile ID: (\S+)$/mg;
    my %names = map { $_ => 1 } $out =~ /^Profile Name: (.+?)\s*$/mg;
    is_deeply([ sort keys %ids ], [ sort keys %NAMES ],
              'pyhoca-cli lists every profile ID') or diag($out);
    is_deeply([ sort keys %names ], [ sort values %NAMES ],
              'pyhoca-cli lists every profile name');

    ($rc, $out) = run_client('pyhoca-badpw', { DISPLAY => ':99' }, 60,
        'pyhoca-cli', '-B', $json_url, '--broker-password', 'wrong',
        '--list-profiles');
    unlike($out, qr/^Profile ID:/m, 'pyhoca-cli: wrong password lists nothing')
        or diag($out);
}

# ------------------------------------------------------------------------
# python-x2go's HTTP broker backend: auth, cookie chain, list, select.
SKIP: {
    skip 'python3-x2go not installed', 6
        unless -d '/usr/lib/python3/dist-packages/x2go';
    my $py = "$HOME/select.py";
    open my $fh, '>', $py or die "$py: $!";
    print $fh <<'PY';
import json, sys
from x2go.backends.profiles.httpbroker import X2GoSessionProfiles
url, user, pw = sys.argv[1:4]
p = X2GoSessionProfiles(broker_url=url, broker_username=user,
                        broker_password=pw)
ok = p.broker_simpleauth(user, pw)
cookies = [p.broker_authid]
ids = sorted(p.profile_ids)
names = {i: p.to_profile_name(i) for i in ids}
sel = {}
for i in ids:
    sel[i] = p.broker_selectsession(i)
    cookies.append(p.broker_authid)
print("RESULT " + json.dumps({"auth": ok, "ids": ids, "names": names,
                              "sel": sel, "cookies": cookies},
                             sort_keys=True))
PY
    close $fh;
    chmod 0644, $py;
    (my $url = $json_url) =~ s{//test\@}{//};
    my ($rc, $out) = run_client('python-x2go', {}, 60,
        '/usr/bin/python3', $py, $url, 'test', 'sweet');
    my ($res) = $out =~ /^RESULT (.*)$/m;
    my $r = defined $res ? eval { JSON::PP->new->decode($res) } : undef;
    ok($rc == 0 && $r, 'python-x2go broker session ran') or diag($out);
    $r ||= {};
    ok($r->{auth}, 'python-x2go authenticated (broker_simpleauth)');
    is_deeply($r->{ids}, [ sort keys %NAMES ], 'python-x2go profile IDs');
    is_deeply($r->{names}, \%NAMES, 'python-x2go profile names');
    my @ck = @{ $r->{cookies} || [] };
    my %uniq = map { defined $_ ? ($_ => 1) : () } @ck;
    ok(@ck == 6 && !grep({ !defined $_ || !/^[0-9a-f-]{36}$/ } @ck)
       && keys %uniq == 6,
       'python-x2go followed a fresh AUTHID cookie on every request')
        or diag(explain(\@ck));
    my $sel = $r->{sel} || {};
    my @bad;
    for my $id (sort keys %SELECT) {
        my $s = $sel->{$id} || {};
        push @bad, "$id: " . JSON::PP->new->canonical->encode($s)
            unless ($s->{server} || '') eq $SELECT{$id}[0]
                && ($s->{port} || '') eq $SELECT{$id}[1];
    }
    my $farm = $sel->{'p4-terminal-farm'} || {};
    push @bad, 'p4-terminal-farm: ' . JSON::PP->new->canonical->encode($farm)
        unless $FARM{ $farm->{server} || '' } && ($farm->{port} || '') eq '22';
    ok(!@bad, 'python-x2go selectsession returns the configured servers')
        or diag(join "\n", @bad);
}

# ------------------------------------------------------------------------
# x2goclient headless: it never exits by itself; stop it as soon as it
# has read the session list (or after 20 s).
SKIP: {
    skip 'x2goclient not installed', 3 unless have('x2goclient');
    my $log = "$HOME/x2goclient.log";
    my $pid = spawn($log, { QT_QPA_PLATFORM => 'offscreen' },
        'timeout', '-k', '5', '20', 'x2goclient', "--broker-url=$noauth_url",
        '--broker-noauth', '--debug', '--no-menu');
    my $deadline = time + 25;
    my $text = '';
    my %desc;
    while (time < $deadline) {
        # remember its children while it lives: they outlive it
        $desc{$_} = 1 for descendants($pid);
        $text = slurp($log);
        last if $text =~ /Reading \d+ sessions/;
        if (waitpid($pid, WNOHANG) == $pid) {
            delete $live{$pid};
            last;
        }
        sleep 0.2;
    }
    sleep 0.3;
    $desc{$_} = 1 for descendants($pid);
    $text = slurp($log);
    reap($pid);
    kill_strays(keys %desc);
    like($text, qr/sending request: "task=listsessions&user=test&password=/,
         'x2goclient sent listsessions') or diag($text);
    like($text, qr/Reading 5 sessions from config file/,
         'x2goclient read 5 sessions') or diag($text);
    my @sect = $text =~ /\\n\[([^\]\\]+)\]\\n/g;
    my %s = map { $_ => 1 } @sect;
    is_deeply([ sort keys %s ], [ sort keys %NAMES ],
              'x2goclient got every profile in the response');
}

done_testing();
