# tools_keygen.t - x2gobroker-keygen (spec 8.1 with the project's
# changes): exit statuses, files, modes and owners, the keys read back by
# ssh-keygen, the printed fingerprint.  The broker account is a
# throwaway one (x2gbkeytest, home in the scratch directory) named
# through X2GOBROKER_DAEMON_USER/GROUP.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use File::Path qw(make_path remove_tree);
use Sys::Hostname ();
use X2GoBTest;
use X2GoBTest::Tools;

my $K = tool('x2gobroker-keygen');
plan tests => 63, need
    { 'scratch directory from t/run-suite' => sub { scratch() && -d scratch() },
      'x2gobroker-keygen built' => sub { -x $K } };

my $USER = 'x2gbkeytest';
my $base = scratch() . '/keygen';
my $home = "$base/home";
my $ssh = "$home/.ssh";
my $host = Sys::Hostname::hostname();
my ($uid, $gid) = make_account($USER, $home);
END { drop_account($USER) }

my %env = (X2GOBROKER_DAEMON_USER => $USER,
           X2GOBROKER_DAEMON_GROUP => $USER);
sub keygen { run_cmd([$K, @_], env => \%env) }

sub mode_of { sprintf '%04o', (lstat $_[0])[2] & 07777 }
sub owner_of { my @s = lstat $_[0]; "$s[4]:$s[5]" }

# "<type> <base64>" of a public key line
sub key_of { join ' ', (split ' ', $_[0])[0, 1] }

# --- refusals -----------------------------------------------------------
my $r = run_cmd(['runuser', '-u', 'nobody', '--', $K], env => \%env);
is($r->{status}, 255, 'not root: exit 255');
is($r->{err}, "x2gobroker-keygen: must run as root\n", 'not root: message');

$r = keygen('-t', 'DSA');
is($r->{status}, 254, 'DSA: exit 254');
is($r->{err}, "x2gobroker-keygen: DSA keys are refused: OpenSSH no longer "
   . "accepts them (use ED25519)\n", 'DSA: message');

$r = keygen('-t', 'FOO');
is($r->{status}, 254, 'unknown type: exit 254');
is($r->{err}, "x2gobroker-keygen: unknown key type FOO: use ED25519, RSA "
   . "or ECDSA\n", 'unknown type: message');

$r = keygen('--bogus');
is($r->{status}, 254, 'unknown option: exit 254');
is($r->{err}, "x2gobroker-keygen: invalid option --bogus (see --help)\n",
   'unknown option: message');

$r = run_cmd([$K], env => { %env, X2GOBROKER_DAEMON_USER => 'x2gbnosuchuser' });
is($r->{status}, 254, 'unknown broker account: exit 254');
is($r->{err}, "x2gobroker-keygen: no such user: x2gbnosuchuser (the broker "
   . "account, X2GOBROKER_DAEMON_USER)\n", 'unknown broker account: message');

make_account($USER, "$base/missing", no_home => 1);
$r = keygen();
is($r->{status}, 254, 'home missing: exit 254');
is($r->{err}, "x2gobroker-keygen: the home directory $base/missing of user "
   . "$USER does not exist\n", 'home missing: message');
make_account($USER, $home);
ok(!-e $ssh, 'nothing created so far');

$r = keygen('--help');
is($r->{status}, 0, '--help: exit 0');
like($r->{out}, qr/\AUsage: x2gobroker-keygen .*255 not root\.\n\z/s,
     '--help: usage with the exit statuses');

# --- the default key: Ed25519 in OpenSSH format ---------------------------
$r = keygen();
is($r->{status}, 0, 'ED25519: exit 0') or diag $r->{err};
is($r->{err}, '', 'ED25519: nothing on stderr');
my $fp_line = run_cmd(['ssh-keygen', '-l', '-f', "$ssh/id_ed25519.pub"])->{out};
is($fp_line, "256 " . ssh_fingerprint("$ssh/id_ed25519") . " $USER\@$host (ED25519)\n",
   'ssh-keygen -l: 256 bits, SHA256, comment user@host');
is($r->{out}, "Created $ssh\nPrivate key: $ssh/id_ed25519\n"
   . "Public key:  $ssh/id_ed25519.pub\n$fp_line",
   'prints the paths and the fingerprint line ssh-keygen -l prints');
is(mode_of($ssh), '0750', '~/.ssh created mode 0750');
is(owner_of($ssh), "$uid:$gid", '~/.ssh owned by the broker account');
is(mode_of("$ssh/id_ed25519"), '0600', 'private key mode 0600');
is(owner_of("$ssh/id_ed25519"), "$uid:$gid", 'private key owner');
is(mode_of("$ssh/id_ed25519.pub"), '0644', 'public key mode 0644');
is(owner_of("$ssh/id_ed25519.pub"), "$uid:$gid", 'public key owner');
my $priv = slurp("$ssh/id_ed25519");
my $pub = slurp("$ssh/id_ed25519.pub");
like($priv, qr/\A-----BEGIN OPENSSH PRIVATE KEY-----\n(?:[A-Za-z0-9+\/=]{1,70}\n)+-----END OPENSSH PRIVATE KEY-----\n\z/,
     'private key: OpenSSH format, 70 columns');
like($pub, qr/\Assh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ \Q$USER\E\@\Q$host\E\n\z/,
     'public key: type, base64, user@host and a final newline (B24)');
$r = run_cmd(['ssh-keygen', '-y', '-f', "$ssh/id_ed25519"]);
is($r->{out}, $pub, 'ssh-keygen -y reads the private key: same public key and comment');
my @left = grep { !/^id_ed25519(?:\.pub)?$/ } map { s{.*/}{}r } glob "$ssh/.* $ssh/*";
is_deeply([grep { $_ ne '.' && $_ ne '..' } @left], [], 'no temporary files left');

# --- an existing key ----------------------------------------------------
$r = keygen();
is($r->{status}, 253, 'key exists: exit 253');
is($r->{err}, "x2gobroker-keygen: private key $ssh/id_ed25519 exists: use "
   . "--force to replace it (then authorize the new public key on every "
   . "X2Go server again, with x2gobroker-pubkeyauthorizer)\n",
   'key exists: message');
is(slurp("$ssh/id_ed25519") . slurp("$ssh/id_ed25519.pub"), $priv . $pub,
   'key exists: both files unchanged');

$r = keygen('--force');
is($r->{status}, 0, '--force: exit 0');
like($r->{out}, qr/\AReplacing the existing key \Q$ssh\E\/id_ed25519 \(--force\)\n/,
     '--force: says so');
my $pub2 = slurp("$ssh/id_ed25519.pub");
isnt(key_of($pub2), key_of($pub), '--force: a new key');
is(run_cmd(['ssh-keygen', '-y', '-f', "$ssh/id_ed25519"])->{out}, $pub2,
   '--force: the new private and public key belong together');
is(mode_of("$ssh/id_ed25519") . ' ' . owner_of("$ssh/id_ed25519"),
   "0600 $uid:$gid", '--force: mode and owner of the new private key');

# --- RSA and ECDSA, and the option spellings ------------------------------
$r = keygen('-t', 'RSA');
is($r->{status}, 0, 'RSA: exit 0');
like(slurp("$ssh/id_rsa"), qr/\A-----BEGIN RSA PRIVATE KEY-----\n/,
     'RSA: PEM "BEGIN RSA PRIVATE KEY"');
$fp_line = run_cmd(['ssh-keygen', '-l', '-f', "$ssh/id_rsa.pub"])->{out};
like($fp_line, qr/\A4096 SHA256:\S+ \Q$USER\E\@\Q$host\E \(RSA\)\n\z/, 'RSA: 4096 bits');
is((split /\n/, $r->{out})[-1] . "\n", $fp_line, 'RSA: fingerprint line as ssh-keygen -l');
is(key_of(run_cmd(['ssh-keygen', '-y', '-f', "$ssh/id_rsa"])->{out}),
   key_of(slurp("$ssh/id_rsa.pub")), 'RSA: ssh-keygen -y gives the .pub key');
is(mode_of("$ssh/id_rsa") . ' ' . mode_of("$ssh/id_rsa.pub"), '0600 0644',
   'RSA: modes');

$r = keygen('--key-type=ecdsa');
is($r->{status}, 0, '--key-type=ecdsa: exit 0');
like(slurp("$ssh/id_ecdsa"), qr/\A-----BEGIN EC PRIVATE KEY-----\n/,
     'ECDSA: PEM "BEGIN EC PRIVATE KEY"');
like(slurp("$ssh/id_ecdsa.pub"), qr/\Aecdsa-sha2-nistp256 AAAA\S+ \Q$USER\E\@\Q$host\E\n\z/,
     'ECDSA: nistp256 public key line');
$fp_line = run_cmd(['ssh-keygen', '-l', '-f', "$ssh/id_ecdsa.pub"])->{out};
is((split /\n/, $r->{out})[-1] . "\n", $fp_line, 'ECDSA: fingerprint line as ssh-keygen -l');
is(key_of(run_cmd(['ssh-keygen', '-y', '-f', "$ssh/id_ecdsa"])->{out}),
   key_of(slurp("$ssh/id_ecdsa.pub")), 'ECDSA: ssh-keygen -y gives the .pub key');

my $rsa = slurp("$ssh/id_rsa.pub");
$r = keygen('---key-type', 'rsa', '-f');
is($r->{status}, 0, '---key-type rsa -f (the reference\'s spelling): exit 0');
isnt(slurp("$ssh/id_rsa.pub"), $rsa, '---key-type: replaced the RSA key');
$r = keygen('--key_type', 'RSA');
is($r->{status}, 253, '--key_type RSA (the man page\'s spelling): exit 253, key exists');

# --- an unsafe ~/.ssh -------------------------------------------------------
remove_tree($ssh);
make_path("$base/elsewhere");
symlink "$base/elsewhere", $ssh or die "symlink: $!";
$r = keygen();
is($r->{status}, 1, '~/.ssh a symlink: exit 1');
is($r->{err}, "x2gobroker-keygen: $ssh is a symbolic link or not a directory: refusing to use it\n",
   '~/.ssh a symlink: message');
my @there = glob "$base/elsewhere/*";
is(scalar @there, 0, '~/.ssh a symlink: nothing written through it');
unlink $ssh;

# ~/.ssh missing again: created again; the key is there after one run
$r = keygen('-t', 'ed25519');
is($r->{status}, 0, 'lower-case type, fresh ~/.ssh: exit 0');
ok(-f "$ssh/id_ed25519" && -f "$ssh/id_ed25519.pub", 'both files written');

# the account plants symlinks to root's files in place of its keys:
# refused even with -f, root's files stay as they were
make_path("$base/rootfiles");
spew("$base/rootfiles/id_rsa", "root's key\n");
spew("$base/rootfiles/id_rsa.pub", "root's public key\n");
unlink "$ssh/id_rsa", "$ssh/id_rsa.pub";
symlink "$base/rootfiles/id_rsa", "$ssh/id_rsa" or die;
$r = keygen('-t', 'RSA', '-f');
is($r->{status}, 1, 'id_rsa a symlink to root\'s file, -f: exit 1');
is($r->{err}, "x2gobroker-keygen: $ssh/id_rsa is a symbolic link: refusing to replace it\n",
   'id_rsa a symlink: message');
unlink "$ssh/id_rsa";
symlink "$base/rootfiles/id_rsa.pub", "$ssh/id_rsa.pub" or die;
$r = keygen('-t', 'RSA', '-f');
is($r->{err}, "x2gobroker-keygen: $ssh/id_rsa.pub is a symbolic link: refusing to replace it\n",
   'id_rsa.pub a symlink: refused too');
is(slurp("$base/rootfiles/id_rsa") . slurp("$base/rootfiles/id_rsa.pub"),
   "root's key\nroot's public key\n", 'root\'s files unchanged');
ok(!-e "$ssh/id_rsa", 'and no key written');
unlink "$ssh/id_rsa.pub";

# ~/.ssh writable by others: refused
chmod 0777, $ssh;
$r = keygen('-t', 'ecdsa', '-f');
is($r->{status}, 1, '~/.ssh world-writable: exit 1');
is($r->{err}, "x2gobroker-keygen: $ssh must belong to $USER and be writable by it alone: refusing to use it\n",
   '~/.ssh world-writable: message');
chmod 0750, $ssh;
