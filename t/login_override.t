# login_override.t - selectsession's "login" field cannot make the broker
# act for another account than the one that logged in (X2GoBrokerAllow-
# LoginOverride Off, the default):
#  - mode LOCAL: a recording agent shows that it is never run for the
#    other account, and is run for the user's own;
#  - mode SSH: no connection to any agent is tried (the farm's ports are
#    closed loopback ports: a try would be logged as refused);
#  - X2GoBrokerAllowLoginOverride On: upstream's behaviour, the agent is
#    asked about the named account;
#  - mode NONE: login is passed on as before (no account is touched).
# Scratch httpds; only 127.0.0.x is ever connected to.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 25, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = scratch() . '/login-override';
mkdir $dir;
chmod 0755, $dir;

# The recording agent: one line per run with its arguments, "OK" to
# every task (no sessions, so the profile's host is chosen).
my $rec = "$dir/agent.log";
spew($rec, '');
chmod 0666, $rec;
spew("$dir/agent", "#!/bin/sh\necho \"\$*\" >> $rec\necho OK\n");
chmod 0755, "$dir/agent";

system('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', "$dir/key") == 0
    or die 'ssh-keygen failed';
chmod 0600, "$dir/key";
spew("$dir/known_hosts", '');
chmod 0644, "$dir/known_hosts";
my $port = free_port();             # nobody listens there
spew("$dir/profiles.conf",
     "[local]\nname=Local\ncommand=TERMINAL\nhost=localhost\n"
   . "broker-agent-query-mode=LOCAL\n\n"
   . "[ssh]\nname=SSH farm\ncommand=TERMINAL\nhost=alpha (127.0.0.1:$port)\n"
   . "broker-agent-query-mode=SSH\n\n"
   . "[none]\nname=No agent\ncommand=TERMINAL\nhost=gamma (127.0.0.3)\n"
   . "broker-agent-query-mode=NONE\nbroker-portscan-x2goservers=false\n\n");
chmod 0644, "$dir/profiles.conf";

sub broker {
    my ($name, @extra) = @_;
    my $h = X2GoBTest::Httpd->new(name => $name, modules => ['slotmem_shm'],
        conf => "<Location /b>\n    SetHandler x2gobroker\n"
              . join('', map { "    $_\n" }
                     "X2GoBrokerSessionProfiles $dir/profiles.conf",
                     'X2GoBrokerDefaultAuthMech none',
                     "X2GoBrokerAgentCmd $dir/agent",
                     "X2GoBrokerSSHKeyFile $dir/key",
                     "X2GoBrokerSSHKnownHostsFile $dir/known_hosts",
                     'X2GoBrokerDefaultPortscanX2goservers Off',
                     'X2GoBrokerAgentTimeout 2', @extra)
              . "</Location>\n");
    my ($ok, $out) = $h->start;
    ok($ok, "$name: httpd starts") or diag $out . $h->error_log;
    return $h;
}

sub select_as {
    my ($h, $sid, $user, $login, $route) = @_;
    return xgb_post($h->url . '/b/' . ($route // 'plain') . '/',
                    [task => 'selectsession', sid => $sid, user => $user,
                     password => 'x', ($login ? (login => $login) : ())]);
}

# --- the default: refused before any agent is asked --------------------------
my $h = broker('login-off');
spew($rec, '');
my $res = select_as($h, 'local', 'alice', 'bob');
is($res->code, 403, 'LOCAL: login=bob for alice: 403');
is(slurp($rec), '', 'LOCAL: the agent was not run at all');
like($h->error_log, qr/user 'alice' asked to act as 'bob' on profile 'local': refused/,
     'LOCAL: the log names both accounts and the profile');

$res = select_as($h, 'local', 'alice', 'bob', 'json');
is($res->code, 403, 'LOCAL, json/: 403 too');
is(slurp($rec), '', 'LOCAL, json/: the agent was not run');

$res = select_as($h, 'local', 'alice', 'alice');
is($res->code, 200, 'LOCAL: login equal to the user: 200');
like($res->content, qr/^SERVER:localhost:22$/m, 'LOCAL: the host is chosen');
like(slurp($rec), qr/^alice listsessions$/m, 'LOCAL: the agent was asked about alice');
unlike(slurp($rec), qr/bob/, 'LOCAL: never about bob');

spew($rec, '');
$res = select_as($h, 'local', 'alice');
is($res->code, 200, 'LOCAL: no login field: 200');
like(slurp($rec), qr/^alice listsessions$/m, 'LOCAL: the user is the login');

$res = select_as($h, 'ssh', 'alice', 'bob');
is($res->code, 403, 'SSH: login=bob for alice: 403');
unlike($h->error_log, qr/agent alpha/, 'SSH: no agent connection was tried');
$res = select_as($h, 'ssh', 'alice', 'alice');
is($res->code, 200, 'SSH: own login: 200');
like($h->error_log, qr/agent alpha \(127\.0\.0\.1:$port\):.*refused/,
     'SSH: with its own login the agent is tried (and the closed port logged)');

$res = select_as($h, 'none', 'alice', 'bob');
is($res->code, 200, 'mode NONE: login=bob is passed on as before: 200');
like($res->content, qr/^SERVER:127\.0\.0\.3:22$/m, 'mode NONE: the answer is the usual one');

$res = xgb_post($h->url . '/b/plain/', [task => 'listsessions', user => 'alice',
                                        password => 'x', login => 'bob']);
is($res->code, 200, 'listsessions with a login field: unchanged, 200');
$h->stop;

# --- X2GoBrokerAllowLoginOverride On: upstream's behaviour -------------------
$h = broker('login-on', 'X2GoBrokerAllowLoginOverride On');
spew($rec, '');
$res = select_as($h, 'local', 'alice', 'bob');
is($res->code, 200, 'override On: login=bob for alice: 200');
like(slurp($rec), qr/^bob listsessions$/m, 'override On: the agent is asked about bob');
unlike($h->error_log, qr/asked to act as/, 'override On: nothing refused');
$h->stop;

# --- the directive's syntax ---------------------------------------------------
$h = X2GoBTest::Httpd->new(name => 'login-bad',
    conf => "<Location /b>\n    SetHandler x2gobroker\n"
          . "    X2GoBrokerAllowLoginOverride maybe\n</Location>\n");
my ($ok, $out) = $h->start;
ok(!$ok, 'X2GoBrokerAllowLoginOverride maybe: httpd does not start');
like($out, qr/X2GoBrokerAllowLoginOverride/, 'and names the directive');
$h->stop;
