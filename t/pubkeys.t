# pubkeys.t - GET /pubkeys/ (spec 2.3): one authorized_keys line per
# configured broker key (X2GoBrokerSSHKeyFile, ed25519 and RSA keys made
# by t/run-suite with ssh-keygen), public half derived from the private
# key, forced command and <daemon user>@<broker host name>.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Socket qw(AF_INET);
use Sys::Hostname ();
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 25, need 'x2gobroker',
    { 'keys from t/run-suite' => sub { have_env()
        && -f scratch() . '/keys/id_ed25519.pub' } };

my $OPTS = 'no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty';

# The broker host name as the reference computes it: the host name if it
# has a dot, else the name a reverse lookup of its address gives.
sub broker_fqdn {
    my $h = Sys::Hostname::hostname();
    return $h if index($h, '.') >= 0;
    my $addr = gethostbyname($h);
    my $name = $addr ? (gethostbyaddr($addr, AF_INET))[0] : undef;
    return $name || 'localhost';
}
my $FQDN = broker_fqdn();

sub pub {
    my $f = shift;
    my ($type, $b64) = split ' ', slurp(scratch() . "/keys/$f.pub");
    return "$type $b64";
}
my $ED  = pub('id_ed25519');
my $RSA = pub('id_rsa');
like($ED, qr/\Assh-ed25519 AAAA/, 'fixture: ed25519 public key');
like($RSA, qr/\Assh-rsa AAAA/, 'fixture: RSA public key');

my $res = xgb_request('GET', '/xgb-pubkeys/pubkeys/');
is($res->code, 200, 'GET /pubkeys/: 200');
like($res->header('Content-Type') // '', qr{\Atext/plain}, 'text/plain');
my $want = qq{command="/usr/lib/x2go/x2gobroker-agent",$OPTS $ED x2gobroker\@$FQDN\n}
         . qq{command="/usr/lib/x2go/x2gobroker-agent",$OPTS $RSA x2gobroker\@$FQDN\n};
is($res->content, $want, 'two lines, configured order, exact text');
my @lines = split /\n/, $res->content;
is(scalar @lines, 2, 'one line per key');
like($lines[0] // '', qr/ ssh-ed25519 /, 'first line: the ed25519 key');
like($lines[1] // '', qr/ ssh-rsa /, 'second line: the RSA key');
unlike($res->content, qr/PRIVATE|BEGIN/, 'no private key material');

$res = xgb_request('GET', '/xgb-pubkeys/pubkeys');
is($res->content, $want, 'GET /pubkeys without slash: same');
$res = xgb_request('GET', '/xgb-pubkeys/pubkeys///');
is($res->content, $want, 'GET /pubkeys/// (any number of slashes): same');
$res = xgb_request('GET', '/xgb-pubkeys/pubkeys/x');
is($res->code, 404, 'GET /pubkeys/x: 404');
$res = xgb_request('GET', '/xgb-pubkeys/pubkeysx');
is($res->code, 404, 'GET /pubkeysx: 404');
$res = xgb_post('/xgb-pubkeys/pubkeys/', 'a=b');
is($res->code, 405, 'POST /pubkeys/: 405');
$res = xgb_request('GET', '/xgb-pubkeys/pubkeys/?user=x&password=y');
is($res->content, $want, 'query string ignored, no authentication');

# another daemon user and agent command
$res = xgb_request('GET', '/xgb-pubkeys2/pubkeys/');
is($res->code, 200, 'second configuration: 200');
is($res->content, qq{command="/opt/x2go/bin/agent",$OPTS $RSA brokeracct\@$FQDN\n},
   'X2GoBrokerDaemonUser and X2GoBrokerAgentCmd used');

# no X2GoBrokerSSHKeyFile: the broker account's own keys, read at
# start-up although only root and the account may read them
my $KEYS = scratch() . '/keyhome/.ssh';
my ($kt, $kb) = split ' ', slurp("$KEYS/id_ed25519.pub");
$res = xgb_request('GET', '/xgb-pubkeys3/pubkeys/');
is($res->content, qq{command="/usr/lib/x2go/x2gobroker-agent",$OPTS $kt $kb x2gbkeys\@$FQDN\n},
   "default keys: the account's ~/.ssh/id_ed25519");
is(sprintf('%04o', (stat "$KEYS/id_ed25519")[2] & 07777), '0600',
   'default key: a 0600 file of the account');

# an account without keys: an empty answer
$res = xgb_request('GET', '/xgb-pubkeys4/pubkeys/');
is($res->code, 200, 'no keys: 200');
is($res->content, '', 'no keys: empty body');

# the key files stay private: www-data cannot read them at all, the
# server read them as root at start-up and did not change their mode
my $mode = (stat(scratch() . '/keys/id_rsa'))[2] & 07777;
is(sprintf('%04o', $mode), '0600', 'key file mode unchanged');

# a configured key file that is missing stops httpd, naming the file
my $dir = t_dir();
my $keys = scratch() . '/keys';
my $h = X2GoBTest::Httpd->new(name => 'pubkeys-missing', conf => <<"CONF");
<Location /xgb>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $dir/data/profiles.conf
    X2GoBrokerSSHKeyFile $keys/no-such-key
</Location>
CONF
my ($ok, $out) = $h->start;
ok(!$ok, 'a missing X2GoBrokerSSHKeyFile: httpd does not start');
like($out, qr{X2GoBrokerSSHKeyFile \Q$keys\E/no-such-key: cannot stat},
     'and says which file and why');
unlike(error_log_since(0), qr/PRIVATE KEY-----|^[A-Za-z0-9+\/]{70}$/m,
       'no key material in the error_log');
