#!/usr/bin/perl
# Real X2Go sessions through this module, end to end, with the clients
# users run (Debian 12's pyhoca-cli / python-x2go and x2goclient), each on
# an Xvfb display of its own: a real x2goagent + xterm session on the
# server the broker chose, suspended, resumed, taken over by a second
# client, and resumed by x2goclient logging in with the broker's autologin
# key.  The lab's farm (sqlite session DBs by default; X2GOB_LAB_DBS),
# agent mode SSH, the agent under test (X2GOB_LAB_AGENT).
#
# The clients run as x2gotest in a mount namespace of their own where the
# servers' names resolve and a client home with the lab's known_hosts is
# the user's home.  A screenshot of the client display after each step is
# kept in X2GOB_LAB_ARTIFACTS (default t/lab/artifacts), with the timings.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use X2GoLab;

plan skip_all => 'the lab needs root' unless $> == 0;

my $U = 'x2gotest';
my $U2 = 'x2gotest2';
my $PROFILE = 'Lab farm';
# seconds each step may take: a session is up about 10 s after the client
# starts on an idle machine
my $STEP = 60;
my $ARTIFACTS = $ENV{X2GOB_LAB_ARTIFACTS} // "$FindBin::Bin/artifacts";
my $AGENT = ($ENV{X2GOB_LAB_AGENT} // 'perl') eq 'perl' ? 'perl' : 'c';

for my $tool (qw(/usr/bin/Xvfb /usr/bin/xwininfo /usr/bin/xprop /usr/bin/import
                 /usr/bin/convert /usr/bin/xdotool /usr/bin/xterm /usr/bin/pyhoca-cli
                 /usr/bin/x2goclient /usr/bin/nxproxy)) {
    die "real_sessions.t needs $tool (README: Running the tests)\n" unless -x $tool;
}
make_path($ARTIFACTS);

my (@displays, @clients, %timing);

# An Xvfb of its own: the display number.
sub start_display
{
    for my $n (60 .. 99) {
        next if -e "/tmp/.X$n-lock" || -e "/tmp/.X11-unix/X$n";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            setpgrp(0, 0);
            open STDIN, '<', '/dev/null';
            open STDOUT, '>', '/dev/null';
            open STDERR, '>', '/dev/null';
            # -noreset: an X server resets when its last client leaves,
            # and a client connecting then (the polls here come and go)
            # had its connection reset
            exec { '/usr/bin/Xvfb' } 'Xvfb', ":$n", '-screen', '0', '1280x1024x24',
                '-nolisten', 'tcp', '-noreset' or POSIX::_exit(127);
        }
        push @displays, $pid;
        return $n if wait_for(10, sub { !system("/usr/bin/xwininfo -display :$n -root >/dev/null 2>&1") });
        die "Xvfb :$n did not start\n";
    }
    die "no free X display in :60 .. :99\n";
}

# Runs @cmd in a process group of its own with SIGINT at its default (a
# test run from make may have it ignored, and pyhoca-cli suspends on it);
# output to $log.  unshare, sh, setpriv and env all exec: the PID is the
# client's.
sub spawn
{
    my ($log, @cmd) = @_;
    # an earlier run's log must not be read as this one's
    unlink $log;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgrp(0, 0);
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $log or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT;
        exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    push @clients, $pid;
    return $pid;
}

sub alive { my $pid = shift; return waitpid($pid, WNOHANG) == 0 }

# Stops a client and everything it started (nxproxy, ssh).
sub stop_group
{
    my $pid = shift;
    kill 'TERM', -$pid;
    wait_for(10, sub { !alive($pid) }) or kill 'KILL', -$pid;
    waitpid($pid, 0);
    kill 'KILL', -$pid;
}

# Polls $cond until it is true or $secs pass; the seconds it took, or
# undef.
sub wait_for
{
    my ($secs, $cond) = @_;
    my $t0 = time;
    while (time - $t0 < $secs) {
        return time - $t0 if $cond->();
        sleep 0.25;
    }
    return undef;
}

# The windows of display :$d: id, title, class, width, height, x, y.
sub windows
{
    my $d = shift;
    my @w;
    for (`/usr/bin/xwininfo -display :$d -root -tree 2>/dev/null`) {
        push @w, { id => $1, title => $2, class => $4, w => $5, h => $6, x => $7, y => $8 }
            if /^\s*(0x[0-9a-f]+) "(.*)": \("([^"]*)" "([^"]*)"\)\s+(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)/;
    }
    return @w;
}

# The xterm of the session on display :$d, shown by nxproxy: a window of
# class XTerm whose client machine is a lab server.  Its server's name.
sub xterm_on
{
    my $d = shift;
    for my $w (grep { $_->{class} eq 'XTerm' } windows($d)) {
        my $m = `/usr/bin/xprop -display :$d -id $w->{id} WM_CLIENT_MACHINE 2>/dev/null`;
        return wantarray ? ($1, $w) : $1 if $m =~ /= "(xgblab\d)"/;
    }
    return;
}

# A screenshot of display :$d as $name.png; with a window, whether that
# part of the picture shows something (more than one colour: the prompt on
# the xterm's background), else whether the picture was written.
sub screenshot
{
    my ($d, $name, $w) = @_;
    my $png = "$ARTIFACTS/$name.png";
    unlink $png;
    system('/usr/bin/import', '-display', ":$d", '-window', 'root', $png) == 0 or return 0;
    return -s $png ? 1 : 0 unless $w;
    my $colours = `/usr/bin/convert $png -crop $w->{w}x$w->{h}+$w->{x}+$w->{y} +repage -format %k info: 2>/dev/null`;
    return ($colours // 0) =~ /^(\d+)$/ && $1 > 1;
}

sub slurp { open my $fh, '<', $_[0] or return ''; local $/; return scalar <$fh> // '' }

END {
    local $?;
    stop_group($_) for grep { kill 0, $_ } @clients;
    for my $pid (@displays) {
        kill 'TERM', $pid;
        waitpid($pid, 0);
    }
}

for my $db (split ' ', $ENV{X2GOB_LAB_DBS} // 'sqlite') {
    my $t = "[$db]";
    my $lab = X2GoLab->new(db => $db);
    $lab->up;
    my $W = $lab->dir;
    my $hosts = join ',', map { $lab->name($_) . ' (' . $lab->ip($_) . ')' } $lab->servers;
    my $broker = $lab->module_broker(
        profiles => "[farm]\nname=$PROFILE\nhost=$hosts\ncommand=xterm\nsshport=22\n"
                  . "user=BROKER_USER\nrootless=true\nbroker-session-autologin=true\n",
        server_conf => "LogFormat \"%D %>s\" xgbtime\nCustomLog logs/access_log xgbtime",
        conf => ($db eq 'pg' ? "    X2GoBrokerSharedSessionDB On\n" : ''));
    my $json = $broker->url . '/json/';
    $json =~ s{^http://}{http://$U\@};
    my $plain = $broker->url . '/plain/';
    $plain =~ s{^http://}{http://$U\@};

    # Another user's sessions on xgblab1 and xgblab3: xgblab2 is the one
    # with the fewest.
    $lab->session(1, $U2, 71, 'R');
    $lab->session(3, $U2, 72, 'R');

    # pyhoca-cli logs in with the user's own key, as on a site where
    # ~/.ssh is the same on every server (the lab's shared homes)
    my $pyhome = "$W/client-pyhoca";
    my @as_client = $lab->client_cmd($U, $pyhome);
    system(@as_client, '/usr/bin/ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'pyhoca-client',
           '-f', (getpwnam($U))[7] . '/.ssh/id_ed25519') == 0 or die "ssh-keygen failed\n";
    my $ak = $lab->env('LAB_HOMES') . "/$U/.ssh/authorized_keys";
    system('/usr/bin/install', '-m', '600', '-o', $U, '-g', $U,
           "$pyhome/.ssh/id_ed25519.pub", $ak) == 0 or die "install $ak failed\n";

    my $d1 = start_display();
    my $d2 = start_display();
    my $pyhoca = sub {
        my ($d, $log, @more) = @_;
        return spawn("$ARTIFACTS/$log.log",
                     $lab->client_cmd($U, $pyhome, DISPLAY => ":$d"),
                     '/usr/bin/pyhoca-cli', '-B', $json, '--broker-password', 'x',
                     '-P', $PROFILE, '-c', 'xterm', @more);
    };
    my $db_of = sub {
        my ($sid) = @_;
        return $lab->status($sid) // '';
    };
    my $session_of = sub {
        my ($log) = @_;
        my ($sid) = slurp("$ARTIFACTS/$log.log") =~ /Using session (\S+) as master session/;
        return $sid;
    };

    # (1) pyhoca-cli starts a session on the least busy server
    my $p1 = $pyhoca->($d1, "$db-1-pyhoca-start");
    my $secs = wait_for($STEP, sub { xterm_on($d1) });
    ok(defined $secs, "$t (1) pyhoca-cli: the session's xterm is on the client display")
        or diag slurp("$ARTIFACTS/$db-1-pyhoca-start.log");
    $timing{start} = $secs;
    my ($srv, $win) = xterm_on($d1);
    $srv //= '';
    my ($connected) = slurp("$ARTIFACTS/$db-1-pyhoca-start.log") =~ /connecting to \[([\d.]+)\]/;
    my %ip_of = map { ($lab->name($_) => $lab->ip($_)) } $lab->servers;
    is($connected // '', $ip_of{$srv} // 'none',
       "$t (1) the xterm runs on the server the broker sent the client to ($srv)");
    TODO: {
        local $TODO = $AGENT eq 'perl' && $db eq 'sqlite'
            ? 'upstream agent on sqlite: getservers has no counts, so the load factor decides'
            : undef;
        is($srv, 'xgblab2', "$t (1) that is xgblab2, the server with the fewest sessions");
    }
    my $sid = $session_of->("$db-1-pyhoca-start");
    ok($sid, "$t (1) pyhoca-cli names its session ($sid)") or $sid = 'none';
    my ($srvidx) = $srv =~ /(\d)$/;
    $srvidx //= 2;
    is($db_of->($sid), 'R', "$t (1) the session DB has it running");
    my ($out) = $lab->exec($srvidx, '/usr/bin/pgrep', '-u', $U, '-f', "x2goagent .*$sid");
    like($out, qr/^\d+$/m, "$t (1) x2goagent runs on $srv");
    ok(screenshot($d1, "$db-1-pyhoca-start", $win), "$t (1) screenshot shows the xterm");

    # (2) SIGINT suspends the session and ends the client
    kill 'INT', $p1;
    ok(wait_for($STEP, sub { !alive($p1) }), "$t (2) pyhoca-cli exits on SIGINT");
    ok(wait_for($STEP, sub { $db_of->($sid) eq 'S' }), "$t (2) the session is suspended");
    ok(wait_for(10, sub { !xterm_on($d1) }), "$t (2) and its xterm gone from the display");

    # (3) the same client resumes it on the same server
    my $t0 = time;
    my $p2 = $pyhoca->($d1, "$db-3-pyhoca-resume", '--try-resume');
    $secs = wait_for($STEP, sub { xterm_on($d1) });
    $timing{resume} = $secs;
    ($srv, $win) = xterm_on($d1);
    is($srv // '', "xgblab$srvidx", "$t (3) resumed: the xterm is back, from the same server");
    is($session_of->("$db-3-pyhoca-resume") // '', $sid, "$t (3) the same session");
    is($db_of->($sid), 'R', "$t (3) running again");
    ok(screenshot($d1, "$db-3-pyhoca-resume", $win), "$t (3) screenshot shows the xterm");

    # (4) a second client takes it over: the first is told and exits
    my $p3 = $pyhoca->($d2, "$db-4-pyhoca-takeover", '--try-resume');
    $secs = wait_for($STEP, sub { xterm_on($d2) });
    $timing{takeover} = $secs;
    ($srv, $win) = xterm_on($d2);
    is($srv // '', "xgblab$srvidx", "$t (4) take-over: the xterm is on the second display");
    is($session_of->("$db-4-pyhoca-takeover") // '', $sid, "$t (4) the same session");
    # it says "suspended" or "moved to a different screen", depending on
    # when it polls the session list
    ok(wait_for(20, sub { !alive($p2) }), "$t (4) the first client exits");
    ok(wait_for(10, sub { !xterm_on($d1) }), "$t (4) the first display has no xterm left");
    is($db_of->($sid), 'R', "$t (4) the session runs");
    ok(screenshot($d2, "$db-4-pyhoca-takeover", $win), "$t (4) screenshot shows the xterm");
    kill 'INT', $p3;
    ok(wait_for($STEP, sub { !alive($p3) && $db_of->($sid) eq 'S' }),
       "$t (4) suspended again by the second client");

    # (5) x2goclient, with the broker's autologin key (its home has no
    # key of its own): the session dialog lists the suspended session,
    # a click on Resume brings the xterm back
    my $xhome = "$W/client-x2goclient";
    my $sshd_log = $lab->env("LAB_SSHD_LOG_$srvidx");
    my $sshd_before = length slurp($sshd_log);
    my $xlog = "$ARTIFACTS/$db-5-x2goclient.log";
    $t0 = time;
    my $x = spawn($xlog, $lab->client_cmd($U, $xhome, DISPLAY => ":$d1"),
                  '/usr/bin/x2goclient', "--broker-url=$plain", '--broker-noauth',
                  '--sessionid=farm', '--no-menu', '--close-disconnect', '--debug');
    my $dialog = wait_for($STEP, sub { slurp($xlog) =~ /Decoding session string/ });
    ok($dialog, "$t (5) x2goclient got the broker's answer with the session")
        or diag slurp($xlog);
    $timing{x2goclient_dialog} = $dialog;
    like(slurp($xlog), qr/SERVER:\Q$ip_of{"xgblab$srvidx"}\E:22\\n-----BEGIN RSA PRIVATE KEY-----/,
         "$t (5) the answer: the session's server and an autologin key");
    # the dialog is drawn a moment after the list is read; the Resume
    # button sits at a fixed place of the 1017x600 main window
    my ($main) = grep { $_->{title} eq 'X2Go Client' } windows($d1);
    screenshot($d1, "$db-5-x2goclient-dialog");
    my $clicks = 0;
    $secs = wait_for($STEP, sub {
        return 1 if xterm_on($d1);
        if ($main && $clicks < 5 && time - $t0 > $dialog + 1.5 + 4 * $clicks) {
            local $ENV{DISPLAY} = ":$d1";
            system('/usr/bin/xdotool', 'mousemove', '--window', $main->{id}, '284', '383',
                   'click', '1');
            $clicks++;
        }
        return 0;
    });
    ($srv, $win) = xterm_on($d1);
    $timing{x2goclient_resume} = defined $secs ? time - $t0 : undef;
    is($srv // '', "xgblab$srvidx", "$t (5) x2goclient resumed the session: the xterm is back")
        or diag slurp($xlog);
    is($db_of->($sid), 'R', "$t (5) running");
    my $sshd_new = substr(slurp($sshd_log), $sshd_before);
    like($sshd_new, qr/Accepted publickey for \Q$U\E from [\d.]+ port \d+ ssh2: RSA /,
         "$t (5) x2goclient logged in to $srv with the RSA autologin key");
    like($broker->error_log, qr/autologin key for \Q$U\E installed on \Q$ip_of{"xgblab$srvidx"}\E:22/,
         "$t (5) the broker installed it");
    ok(screenshot($d1, "$db-5-x2goclient-resume", $win), "$t (5) screenshot shows the xterm");

    # broker answers, from its access log (%D: microseconds)
    my @us = sort { $a <=> $b } map { /^(\d+) 200$/ ? $1 : () } split /\n/, slurp($broker->root . '/logs/access_log');
    $timing{broker_answers} = scalar @us;
    $timing{broker_median_ms} = @us ? $us[$#us / 2] / 1000 : undef;
    $timing{broker_max_ms} = @us ? $us[-1] / 1000 : undef;

    # (6) clean-up: the session ends, nothing of it is left
    stop_group($x);
    $lab->exec($srvidx, '/usr/bin/setpriv', "--reuid=$U", "--regid=$U", '--init-groups', '--',
               '/usr/bin/env', '-i', "HOME=" . (getpwnam($U))[7], "USER=$U", 'PATH=/usr/bin:/bin',
               '/usr/bin/x2goterminate-session', $sid);
    ok(wait_for($STEP, sub { $db_of->($sid) eq 'F' || $db_of->($sid) eq '' }),
       "$t (6) the session is terminated (" . $db_of->($sid) . ')');
    ok(wait_for(20, sub { my ($o) = $lab->exec($srvidx, '/usr/bin/pgrep', '-u', $U, '-f', 'x2goagent');
                          $o !~ /\d/ }),
       "$t (6) no x2goagent of $U is left on $srv");
    ok(wait_for(30, sub { slurp($lab->x2go_dir($srvidx, $U) . '/authorized_keys') !~ /ssh-rsa/ }),
       "$t (6) the autologin key is removed from $srv");
    unlink $ak;
    ok(!(grep { alive($_) } $p1, $p2, $p3, $x), "$t (6) no client is left");

    unlike($broker->error_log, qr/exit signal|AH00052|Segmentation fault/, "$t no httpd child crashed");
    my $report = join '', map { sprintf "%s %s\n", $_, defined $timing{$_} ? sprintf('%.1f', $timing{$_}) : 'n/a' }
        sort keys %timing;
    diag "timings ($db, agent $AGENT; seconds, broker ms):\n$report";
    open my $fh, '>', "$ARTIFACTS/$db-timings.txt" or die "$ARTIFACTS: $!";
    print $fh $report;
    close $fh;
    ok($lab->down, "$t lab down");
}

done_testing();
