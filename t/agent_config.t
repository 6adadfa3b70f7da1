# agent_config.t - agent mode SSH as httpd starts it, without the lab:
#  - a configuration in mode SSH without a key to sign with stops httpd
#    with a message saying so; a missing X2GoBrokerSSHKeyFile names the
#    file; without mod_slotmem_shm the message names the module;
#  - with a key, a farm of loopback addresses where nothing listens is
#    answered no-X2Go-Server-available at once (connection refused), the
#    log names each server, and listsessions still lists the profile.
# Scratch httpds; only 127.0.0.x is ever connected to.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Time::HiRes qw(time);
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 12, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = scratch() . '/agent-config';
mkdir $dir;
system('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', "$dir/key") == 0
    or die 'ssh-keygen failed';
chmod 0600, "$dir/key";
spew("$dir/known_hosts", '');
chmod 0644, "$dir/known_hosts";
# two loopback ports nobody listens on
my @ports = map { free_port() } 1 .. 2;
spew("$dir/profiles.conf", "[farm]\nname=Farm\ncommand=TERMINAL\n"
    . "host=alpha (127.0.0.1:$ports[0]),beta (127.0.0.1:$ports[1])\n");
chmod 0644, "$dir/profiles.conf";

sub loc {
    return "<Location /b>\n    SetHandler x2gobroker\n"
         . join('', map { "    $_\n" } @_) . "</Location>\n";
}
my @BASE = ("X2GoBrokerSessionProfiles $dir/profiles.conf",
            'X2GoBrokerDefaultAuthMech none', 'X2GoBrokerDefaultAgentQueryMode SSH',
            "X2GoBrokerSSHKnownHostsFile $dir/known_hosts",
            'X2GoBrokerAgentTimeout 2');

# --- no key ---------------------------------------------------------------
my $h = X2GoBTest::Httpd->new(name => 'agent-nokey', modules => ['slotmem_shm'],
    conf => loc(@BASE, 'X2GoBrokerDaemonUser nosuchbrokeruser'));
my ($ok, $out) = $h->start;
ok(!$ok, 'mode SSH without any key: httpd does not start');
like($out . $h->error_log, qr/mode SSH in \/b needs a private key: set X2GoBrokerSSHKeyFile/,
     'and says which section needs which key');
$h->stop;

$h = X2GoBTest::Httpd->new(name => 'agent-missingkey', modules => ['slotmem_shm'],
    conf => loc(@BASE, "X2GoBrokerSSHKeyFile $dir/nokey"));
($ok, $out) = $h->start;
ok(!$ok, 'a missing X2GoBrokerSSHKeyFile: httpd does not start');
like($out, qr/X2GoBrokerSSHKeyFile \Q$dir\E\/nokey/, 'and the message names the file');
$h->stop;

# --- no mod_slotmem_shm ---------------------------------------------------
$h = X2GoBTest::Httpd->new(name => 'agent-noslotmem',
    conf => loc(@BASE, "X2GoBrokerSSHKeyFile $dir/key"));
($ok, $out) = $h->start;
for (1 .. 50) { last unless $h->running; select undef, undef, undef, 0.1 }
ok(!$h->running, 'mode SSH without mod_slotmem_shm: httpd does not run');
like($h->error_log, qr/needs the shared server table: is mod_slotmem_shm loaded\?/,
     'and the log names the module');
$h->stop;

# --- a farm where nothing listens -------------------------------------------
$h = X2GoBTest::Httpd->new(name => 'agent-farm', modules => ['slotmem_shm'],
    conf => loc(@BASE, "X2GoBrokerSSHKeyFile $dir/key"));
($ok, $out) = $h->start;
ok($ok, 'with a key and mod_slotmem_shm: httpd starts') or diag $out . $h->error_log;
my $t0 = time;
my $res = xgb_post($h->url . '/b/plain/', [task => 'selectsession', sid => 'farm', user => 'u']);
my $secs = time - $t0;
is($res->code, 200, 'selectsession: 200');
like($res->content, qr/^SERVER:no-X2Go-Server-available:22$/m,
     'no-X2Go-Server-available: every agent refused the connection');
cmp_ok($secs, '<', 1, "at once: a refused connection costs no timeout ($secs s)");
like($h->error_log, qr/agent alpha \(127\.0\.0\.1:$ports[0]\):.*every child skips it/,
     'the log names the server and what happens to it');
$res = xgb_post($h->url . '/b/plain/', [task => 'listsessions', user => 'u']);
like($res->content, qr/^\[farm\]\n(?:.*\n)*?host=alpha,beta\n/m,
     'listsessions without agents: the profile with all its hosts');
$h->stop;
