# agent_local.t - agent query mode LOCAL under load and on failure:
#  - 40 selectsessions at once: every run of the local agent gets exactly
#    stdin, stdout and stderr - no pipe end of another request's agent,
#    which would hold that request's answer open until this agent ends -
#    and every answer is right;
#  - a local agent that fails leaves the selection without agent data
#    (spec 5.1: "all agents down" exists in mode SSH only): a server of
#    the profile is chosen, not no-X2Go-Server-available.
# Scratch httpds; nothing is connected to.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;
use POSIX ();

plan tests => 11, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = scratch() . '/agent-local';
mkdir $dir;
chmod 0755, $dir;

# The agent: one line per run with its own stdout and stderr pipes and
# every other descriptor it has open, then a short pause so that runs
# overlap.
my $log = "$dir/fds.log";
spew($log, '');
chmod 0666, $log;
spew("$dir/agent", <<"PL");
#!/usr/bin/perl
my %to;
opendir my \$d, '/proc/self/fd' or die "fd: \$!";
for my \$n (grep { /^\\d+\$/ } readdir \$d) {
    my \$t = readlink "/proc/self/fd/\$n";
    \$to{\$n} = \$t if defined \$t;
}
closedir \$d;
open my \$log, '>>', '$log' or die "log: \$!";
print \$log join(' ', "own=\$to{1},\$to{2}", map { "\$_=\$to{\$_}" } grep { \$_ > 2 } sort keys %to), "\\n";
close \$log;
select undef, undef, undef, 0.3;
print "OK\\n";
print "h1 1\\nh2 0\\n" if (\$ARGV[1] // '') eq 'getservers';
PL
chmod 0755, "$dir/agent";
spew("$dir/failing", "#!/bin/sh\necho 'agent broken' >&2\nexit 1\n");
chmod 0755, "$dir/failing";
spew("$dir/profiles.conf",
     "[farm]\nname=Farm\ncommand=TERMINAL\nhost=h1 (127.0.0.1),h2 (127.0.0.2)\n"
   . "broker-agent-query-mode=LOCAL\n");
chmod 0644, "$dir/profiles.conf";

sub broker {
    my ($name, $agent) = @_;
    my $h = X2GoBTest::Httpd->new(name => $name, modules => ['slotmem_shm'],
        conf => "<Location /b>\n    SetHandler x2gobroker\n"
              . join('', map { "    $_\n" }
                     "X2GoBrokerSessionProfiles $dir/profiles.conf",
                     'X2GoBrokerDefaultAuthMech none', "X2GoBrokerAgentCmd $agent",
                     'X2GoBrokerSharedSessionDB On',
                     'X2GoBrokerDefaultPortscanX2goservers Off', 'X2GoBrokerAgentTimeout 10')
              . "</Location>\n");
    my ($ok, $out) = $h->start;
    ok($ok, "$name: httpd starts") or diag $out . $h->error_log;
    return $h;
}

my $h = broker('local-storm', "$dir/agent");
my $n = 40;
my @kids;
for my $i (1 .. $n) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                                   user => "user$i", password => 'x']);
        my ($srv) = $res->content =~ /^SERVER:([^\n]*)$/m;
        POSIX::_exit($res->code == 200 && ($srv // '') eq '127.0.0.2:22' ? 0 : 1);
    }
    push @kids, $pid;
}
my $bad = 0;
for (@kids) {
    waitpid($_, 0);
    $bad++ if $?;
}
is($bad, 0, "$n selectsessions at once: every one answered h2 (the idle server)");
# A pipe an agent writes its answer to may be open in no other agent:
# there it would keep the answer open until that agent ended.
my @runs = split /\n/, slurp($log);
cmp_ok(scalar @runs, '>=', $n, 'the agent ran for each (' . scalar(@runs) . ' runs)');
my (%own, @others);
for (@runs) {
    my ($o, @rest) = split ' ';
    $own{$_} = 1 for $o =~ /(pipe:\[\d+\])/g;
    push @others, map { /=(pipe:\[\d+\])$/ ? $1 : () } @rest;
}
is(scalar(keys %own), 2 * scalar(@runs), 'each run has pipes of its own for stdout and stderr');
is(join(' ', grep { $own{$_} } @others), '',
   "no run had another run's stdout or stderr pipe open");
$h->stop;

$h = broker('local-failing', "$dir/failing");
my %seen;
for (1 .. 20) {
    my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                               user => 'alice', password => 'x']);
    my ($srv) = $res->content =~ /^SERVER:([^\n]*)$/m;
    $seen{ $srv // 'none' }++;
}
is(join(' ', sort keys %seen), '127.0.0.1:22 127.0.0.2:22',
   'a failing local agent: the profile\'s servers are chosen at random');
ok(!$seen{'no-X2Go-Server-available:22'}, 'never no-X2Go-Server-available');
like($h->error_log, qr/agent broken/, 'the agent\'s complaint is logged');
$h->stop;

$h = broker('local-missing', "$dir/nosuchagent");
my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm',
                                           user => 'alice', password => 'x']);
like($res->content, qr/^SERVER:127\.0\.0\.[12]:22$/m, 'a missing local agent: a server is chosen');
$h->stop;
