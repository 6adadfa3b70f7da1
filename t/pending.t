# pending.t - placements count as sessions until an agent shows them
# (X2GoBrokerPendingLifetime), in every httpd child:
#  - a storm of 50 selectsessions for 50 users at once, served by three
#    children, over servers with 10, 5 and 0 sessions: afterwards sessions
#    + placements are even within 1 (without placements all 50 would go to
#    the idle server); with weight=200 on the busiest, within 1 of 2:1:1;
#  - a user's placements stop counting when the agent lists the user's
#    session on that server;
#  - placements expire after X2GoBrokerPendingLifetime.
# Mode LOCAL with a fake agent whose counts never change.  Scratch httpds;
# nothing is connected to.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;
use POSIX ();

plan tests => 16, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = scratch() . '/pending';
mkdir $dir;
chmod 0755, $dir;

# getservers: the lines of $dir/counts; listsessions: $dir/sess-<user>.
spew("$dir/agent", <<"SH");
#!/bin/sh
echo OK
case "\$2" in
    getservers) cat $dir/counts ;;
    listsessions) [ ! -f "$dir/sess-\$1" ] || cat "$dir/sess-\$1" ;;
esac
SH
chmod 0755, "$dir/agent";
spew("$dir/profiles.conf",
     "[farm]\nname=Farm\ncommand=TERMINAL\n"
   . "host=h1 (127.0.0.1),h2 (127.0.0.2),h3 (127.0.0.3)\n"
   . "broker-agent-query-mode=LOCAL\n");
chmod 0644, "$dir/profiles.conf";

sub counts { spew("$dir/counts", join '', map { "$_\n" } @_); chmod 0644, "$dir/counts" }

sub broker {
    my ($name, @extra) = @_;
    my $h = X2GoBTest::Httpd->new(name => $name, modules => ['slotmem_shm'],
        conf => "ServerLimit 4\nStartServers 3\nMinSpareThreads 30\nMaxSpareThreads 40\n"
              . "ThreadsPerChild 10\nMaxRequestWorkers 40\n"
              . "<Location /b>\n    SetHandler x2gobroker\n"
              . join('', map { "    $_\n" }
                     "X2GoBrokerSessionProfiles $dir/profiles.conf",
                     'X2GoBrokerDefaultAuthMech none', "X2GoBrokerAgentCmd $dir/agent",
                     'X2GoBrokerSharedSessionDB On',
                     'X2GoBrokerDefaultPortscanX2goservers Off', 'X2GoBrokerAgentTimeout 10',
                     'LogLevel x2gobroker:debug', @extra)
              . "</Location>\n");
    my ($ok, $out) = $h->start;
    ok($ok, "$name: httpd starts") or diag $out . $h->error_log;
    return $h;
}

sub select_for {
    my ($h, $user) = @_;
    my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                               user => $user, password => 'x']);
    my ($srv) = $res->content =~ /^SERVER:127\.0\.0\.(\d):22$/m;
    return $srv ? "h$srv" : 'none';
}

# 50 users at once; how many went where, from the children's answers.
sub storm {
    my ($h, $tag) = @_;
    my %pipe;
    for my $i (1 .. 50) {
        pipe my $r, my $w or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            print $w select_for($h, "$tag$i");
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        $pipe{$pid} = $r;
    }
    my %n = (h1 => 0, h2 => 0, h3 => 0);
    for my $pid (keys %pipe) {
        my $fh = $pipe{$pid};
        my $got = <$fh> // 'none';
        close $fh;
        waitpid($pid, 0);
        $n{$got}++;
    }
    return \%n;
}

sub children_served {
    my ($h) = @_;
    my %pids = map { $_ => 1 } $h->error_log =~ /\[pid (\d+):tid \d+\][^\n]*XGB00141/g;
    return scalar keys %pids;
}

# --- a storm over 10 / 5 / 0 sessions ---------------------------------------
counts('h1 10', 'h2 5', 'h3 0');
my $h = broker('pending-storm');
my $n = storm($h, 'a');
my @tot = ($n->{h1} + 10, $n->{h2} + 5, $n->{h3});
is($n->{h1} + $n->{h2} + $n->{h3}, 50, "50 placements (h1 $n->{h1}, h2 $n->{h2}, h3 $n->{h3})");
my ($lo, $hi) = (sort { $a <=> $b } @tot)[0, -1];
cmp_ok($hi - $lo, '<=', 1, "sessions + placements even within 1 (@tot)");
cmp_ok(children_served($h), '>=', 2, 'served by more than one child');
$h->stop;

# --- the same with weight=200 on h1: 2:1:1 ----------------------------------
$h = broker('pending-weights', 'X2GoBrokerServer h1 weight=200');
$n = storm($h, 'b');
# per weight: h1 counts half
my @share = (($n->{h1} + 10) / 2, $n->{h2} + 5, $n->{h3});
($lo, $hi) = (sort { $a <=> $b } @share)[0, -1];
cmp_ok($hi - $lo, '<=', 1, "weight 200 on h1: per weight even within 1 (@share)");
$h->stop;

# The placements on h1 each new session found there (XGB00141), in order.
sub before_on_h1 {
    my ($h) = @_;
    return join ' ', $h->error_log =~ /placed on h1 \((\d+) placement\(s\) there before\)/g;
}

# --- a user's placements end when the user's session is listed ---------------
counts('h1 0', 'h2 9', 'h3 9');
$h = broker('pending-seen');
is(join(' ', map { select_for($h, 'xu') } 1 .. 3), 'h1 h1 h1', 'xu three times: h1');
is(before_on_h1($h), '0 1 2', 'each placement found the earlier ones there');
spew("$dir/sess-xu", "30342|xu-50-1414764461_stDxterm_dp24|50|h1|S|2014-10-31T13:47:41|"
   . "c02c0f6a1e2b3d4e|10.0.0.5|30001|30002|2014-10-31T13:47:43|xu|34|30003|-1|-1\n");
is(select_for($h, 'xu'), 'h1', "xu's session on h1 is resumed");
unlink "$dir/sess-xu";
is(select_for($h, 'yu'), 'h1', 'the next user goes to h1');
is(before_on_h1($h), '0 1 2 0', "and finds none there: xu's placements ended with the listing");
$h->stop;

# --- placements expire ---------------------------------------------------------
counts('h1 0', 'h2 9', 'h3 9');
$h = broker('pending-expire', 'X2GoBrokerPendingLifetime 2');
is(join(' ', map { select_for($h, "e$_") } 1 .. 3), 'h1 h1 h1', 'three users to h1');
sleep 3;
is(select_for($h, 'f1'), 'h1', 'another one after the lifetime');
is(before_on_h1($h), '0 1 2 0', 'finds none there: the placements expired');
$h->stop;
