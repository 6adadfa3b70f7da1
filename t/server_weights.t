# server_weights.t - X2GoBrokerServer <name> [weight=<0..1000>] [drain]:
#  - the fewest sessions per weight take a new session (a server of weight
#    200 with 5 sessions beats ones of weight 100 with 3);
#  - a drained server and one of weight 0 take no new session, also when
#    named by address, but a suspended session there is resumed there;
#  - nothing open: no-X2Go-Server-available, with a log line;
#  - bad arguments stop httpd with a message naming them.
# Mode LOCAL with a fake agent answering getservers with fixed counts (the
# servers share a session DB).  Scratch httpds; nothing is connected to.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 19, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = scratch() . '/server-weights';
mkdir $dir;
chmod 0755, $dir;

# The agent: getservers answers the counts, listsessions the lines of
# $dir/sessions (none at first).
spew("$dir/sessions", '');
chmod 0644, "$dir/sessions";
spew("$dir/agent", <<"SH");
#!/bin/sh
echo OK
case "\$2" in
    getservers) printf 'h1 5\\nh2 3\\nh3 3\\n' ;;
    listsessions) cat $dir/sessions ;;
esac
SH
chmod 0755, "$dir/agent";
spew("$dir/profiles.conf",
     "[farm]\nname=Farm\ncommand=TERMINAL\n"
   . "host=h1 (127.0.0.1),h2 (127.0.0.2),h3 (127.0.0.3)\n"
   . "broker-agent-query-mode=LOCAL\n");
chmod 0644, "$dir/profiles.conf";

sub broker {
    my ($name, @extra) = @_;
    return X2GoBTest::Httpd->new(name => $name, modules => ['slotmem_shm'],
        conf => "<Location /b>\n    SetHandler x2gobroker\n"
              . join('', map { "    $_\n" }
                     "X2GoBrokerSessionProfiles $dir/profiles.conf",
                     'X2GoBrokerDefaultAuthMech none',
                     "X2GoBrokerAgentCmd $dir/agent",
                     'X2GoBrokerSharedSessionDB On',
                     'X2GoBrokerDefaultPortscanX2goservers Off', @extra)
              . "</Location>\n");
}

# The servers 20 selectsessions went to, as "addr=count ...".
sub spread {
    my $h = shift;
    my %n;
    for (1 .. 20) {
        my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                                   user => 'alice', password => 'x']);
        my ($srv) = $res->content =~ /^SERVER:([^:\n]+)/m;
        $n{ $srv // $res->code }++;
    }
    return join ' ', map { "$_=$n{$_}" } sort keys %n;
}

my $h = broker('weights-none');
my ($ok, $out) = $h->start;
ok($ok, 'no X2GoBrokerServer: httpd starts') or diag $out . $h->error_log;
unlike(spread($h), qr/127\.0\.0\.1=/, 'equal weights: h1 (5 sessions) gets none of 20');
$h->stop;

$h = broker('weights-200', 'X2GoBrokerServer h1 weight=200');
($ok, $out) = $h->start;
ok($ok, 'X2GoBrokerServer h1 weight=200: httpd starts') or diag $out . $h->error_log;
is(spread($h), '127.0.0.1=20', 'h1 at weight 200 (5 sessions = 2.5) gets all 20');
$h->stop;

$h = broker('weights-drain', 'X2GoBrokerServer h1 weight=200 drain',
            'X2GoBrokerServer 127.0.0.2 weight=0');
($ok, $out) = $h->start;
ok($ok, 'h1 drained, h2 (by address) weight 0: httpd starts') or diag $out . $h->error_log;
is(spread($h), '127.0.0.3=20', 'every new session goes to h3');
# a suspended session of alice on the drained h1 is resumed there
spew("$dir/sessions", "30342|alice-50-1414764461_stDxterm_dp24|50|h1|S|2014-10-31T13:47:41|"
   . "c02c0f6a1e2b3d4e|10.0.0.5|30001|30002|2014-10-31T13:47:43|alice|34|30003|-1|-1\n");
my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                           user => 'alice', password => 'x']);
like($res->content, qr/^SERVER:127\.0\.0\.1:22$/m, 'resume: the drained h1');
like($res->content, qr/^SESSION_INFO:30342\|alice-50-/m, 'with the session');
spew("$dir/sessions", '');
$h->stop;

$h = broker('weights-closed', 'X2GoBrokerServer h1 drain', 'X2GoBrokerServer h2 drain',
            'X2GoBrokerServer h3 weight=0');
($ok, $out) = $h->start;
ok($ok, 'every server drained or weight 0: httpd starts') or diag $out . $h->error_log;
$res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                        user => 'alice', password => 'x']);
is($res->code, 200, 'selectsession: 200');
like($res->content, qr/^SERVER:no-X2Go-Server-available:22$/m, 'no-X2Go-Server-available');
like($h->error_log, qr/no X2Go Server of profile farm takes new sessions: drained or weight 0/,
     'the log says why');
$h->stop;

# a <Location> inside the server's settings: its own entry wins
$h = X2GoBTest::Httpd->new(name => 'weights-merge', modules => ['slotmem_shm'],
    conf => "X2GoBrokerServer h1 drain\nX2GoBrokerServer h2 drain\n"
          . "<Location /b>\n    SetHandler x2gobroker\n"
          . join('', map { "    $_\n" }
                 "X2GoBrokerSessionProfiles $dir/profiles.conf",
                 'X2GoBrokerDefaultAuthMech none', "X2GoBrokerAgentCmd $dir/agent",
                 'X2GoBrokerSharedSessionDB On', 'X2GoBrokerDefaultPortscanX2goservers Off',
                 'X2GoBrokerServer h2 weight=100', 'X2GoBrokerServer h3 weight=0')
          . "</Location>\n");
($ok, $out) = $h->start;
ok($ok, 'server-level and <Location> X2GoBrokerServer: httpd starts') or diag $out . $h->error_log;
is(spread($h), '127.0.0.2=20', 'h1 drained from the server level, h2 reopened, h3 closed');
$h->stop;

for my $bad (['weight=1001', qr/weight must be a whole number from 0 to 1000, not '1001'/],
             ['weight=-1', qr/weight must be a whole number from 0 to 1000, not '-1'/],
             ['weight=', qr/weight must be a whole number from 0 to 1000, not ''/],
             ['drained', qr/unknown argument 'drained'/]) {
    $h = broker('weights-bad', "X2GoBrokerServer h1 $bad->[0]");
    ($ok, $out) = $h->start;
    ok(!$ok && $out =~ $bad->[1], "X2GoBrokerServer h1 $bad->[0]: httpd refuses with a reason")
        or diag $out;
    $h->stop;
}
$h = broker('weights-twice', 'X2GoBrokerServer h1 weight=5', 'X2GoBrokerServer h1 drain');
($ok, $out) = $h->start;
ok(!$ok && $out =~ /X2GoBrokerServer h1 is given twice here/,
   'the same server twice in one context: refused') or diag $out;
$h->stop;
