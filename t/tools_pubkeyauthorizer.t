# tools_pubkeyauthorizer.t - x2gobroker-pubkeyauthorizer (spec 8.2 with
# the project's changes) against a real HTTPS server: a scratch httpd
# with mod_ssl and a self-signed certificate, serving this module's
# pubkeys/ (the key made by x2gobroker-keygen) and static files for the
# error cases.  The X2Go server's broker account is a throwaway one
# (x2gbpkatest), the broker's another (x2gbpkabrk).
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use File::Copy qw(copy);
use File::Path qw(make_path);
use LWP::UserAgent ();
use MIME::Base64 qw(encode_base64);
use X2GoBTest;
use X2GoBTest::Httpd;
use X2GoBTest::Tools;

my $P = tool('x2gobroker-pubkeyauthorizer');
my $K = tool('x2gobroker-keygen');
plan tests => 81, need 'x2gobroker',
    { 'services from t/run-suite' => \&have_env,
      'tools built' => sub { -x $P && -x $K },
      'mod_ssl' => sub { -f X2GoBTest::Httpd::libexecdir() . '/mod_ssl.so' } };

my $base = scratch() . '/pka';
my ($SRV, $BRK) = ('x2gbpkatest', 'x2gbpkabrk');
my $home = "$base/server";
my $ssh = "$home/.ssh";
my $ak = "$ssh/authorized_keys";
my ($uid, $gid) = make_account($SRV, $home);
make_account($BRK, "$base/broker");
END { drop_account($SRV); drop_account($BRK) }

my %env = (X2GOBROKER_DAEMON_USER => $SRV, X2GOBROKER_DAEMON_GROUP => $SRV);
sub pka { run_cmd([$P, @_], env => \%env) }

# The broker's key, made by keygen, readable by the httpd children.
my $r = run_cmd([$K], env => { X2GOBROKER_DAEMON_USER => $BRK,
                               X2GOBROKER_DAEMON_GROUP => $BRK });
is($r->{status}, 0, 'fixture: x2gobroker-keygen made the broker key') or diag $r->{err};
my $brkpub = "$base/broker/.ssh/id_ed25519.pub";
make_path("$base/keys");
copy("$base/broker/.ssh/id_ed25519", "$base/keys/id_ed25519") or die "copy: $!";
chown 0, scalar getgrnam('www-data'), "$base/keys", "$base/keys/id_ed25519";
chmod 0750, "$base/keys";
chmod 0640, "$base/keys/id_ed25519";

# Static answers for the error cases.
my $dss = encode_base64(pack('N/a* N/a*', 'ssh-dss', "\x01" x 40), '');
my $docs = "$base/htdocs";
make_path($docs);
spew("$docs/dss.txt", "ssh-dss $dss x2gobroker\@broker\n");
spew("$docs/garbage.txt", "<html>It works</html>\n");
spew("$docs/comments.txt", "# no keys here\n\n#\n");

my ($crt, $key) = make_cert("$base/tls", 'server');
my ($other) = make_cert("$base/tls", 'other');
my $dir = t_dir();
my $h = X2GoBTest::Httpd->new(name => 'pka', modules => ['ssl'], conf => <<"EOF");
SSLEngine on
SSLCertificateFile $crt
SSLCertificateKeyFile $key
DocumentRoot $docs
<Directory $docs>
    Require all granted
</Directory>
<Location /xgb>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $dir/data/profiles.conf
    X2GoBrokerSSHKeyFile $base/keys/id_ed25519
    X2GoBrokerDaemonUser $BRK
</Location>
EOF
my ($ok, $out) = $h->start;
ok($ok, 'HTTPS scratch httpd started') or diag $out, $h->error_log;
my $https = 'https://127.0.0.1:' . $h->port;
my $url = "$https/xgb/pubkeys/";

# What the broker serves: one line, the keygen key with the forced command.
my $ua = LWP::UserAgent->new(timeout => 10,
                             ssl_opts => { SSL_ca_file => $crt });
my $res = $ua->get($url);
is($res->code, 200, 'fixture: pubkeys/ over HTTPS') or diag $res->status_line;
my $served = $res->content;
my ($ktype, $kb64) = split ' ', slurp($brkpub);
like($served, qr/\Acommand="\/usr\/lib\/x2go\/x2gobroker-agent",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty ssh-ed25519 \Q$kb64\E \Q$BRK\E\@\S+\n\z/,
     'fixture: the served line holds the keygen key');
my ($comment) = $served =~ / (\S+)\n\z/;
# What the tool writes for served lines: its own options, never the
# network's (the served key and comment only).
sub written_of {
    my ($text) = @_;
    $text =~ s/^\S+ (\S+ \S+(?: \S+)?)$/command="\/usr\/lib\/x2go\/x2gobroker-agent",restrict $1/mg;
    return $text;
}
my $written = written_of($served);
is($written, "command=\"/usr/lib/x2go/x2gobroker-agent\",restrict ssh-ed25519 $kb64 $comment\n",
   'fixture: the line to be written');
my $desc = "$ktype " . ssh_fingerprint($brkpub) . " ($comment)";

sub mode_of { sprintf '%04o', (stat $_[0])[2] & 07777 }
sub owner_of { my @s = stat $_[0]; "$s[4]:$s[5]" }
sub ident_of { my @s = stat $_[0]; "$s[1]/$s[9]" }     # inode/mtime

# --- refusals before any download ------------------------------------------
$r = run_cmd(['runuser', '-u', 'nobody', '--', $P, '-t', $url], env => \%env);
is($r->{status}, 255, 'not root: exit 255');
is($r->{err}, "x2gobroker-pubkeyauthorizer: must run as root\n", 'not root: message');

$r = pka();
is($r->{status}, 254, 'no URL: exit 254');
is($r->{err}, "x2gobroker-pubkeyauthorizer: no broker URL: use --broker-url "
   . "https://<broker>/pubkeys/\n", 'no URL: message');

my $http = 'http://127.0.0.1:' . server_port() . '/xgb-pubkeys/pubkeys/';
$r = pka('-t', $http);
is($r->{status}, 254, 'http:// without --allow-http: exit 254');
is($r->{err}, "x2gobroker-pubkeyauthorizer: refusing the plain http:// URL "
   . "$http: the keys could be replaced on the way (use https://, or "
   . "--allow-http on a trusted network)\n", 'http:// without --allow-http: message');
ok(!-e $ssh, 'refusals: ~/.ssh not even created');

# --- first run: the line lands ----------------------------------------------
$r = pka('--broker-url', $url, '--ca-file', $crt);
is($r->{status}, 0, 'first run: exit 0') or diag $r->{err};
is($r->{out}, "Found 1 public key at $url\nCreated $ssh\nAdding $desc\n"
   . "Updated $ak\n", 'first run: what it did');
is($r->{err}, '', 'first run: nothing on stderr');
is(slurp($ak), $written, 'authorized_keys holds the key with the forced command and restrict');
is(mode_of($ak) . ' ' . owner_of($ak), "0644 $uid:$gid",
   'new authorized_keys: 0644, owned by the broker account');
is(mode_of($ssh) . ' ' . owner_of($ssh), "0750 $uid:$gid", '~/.ssh: 0750, owned');

# --- second run: idempotent, the file not even rewritten --------------------
my $ident = ident_of($ak);
sleep 1;
$r = pka('-b', $url, '--ca-file', $crt);
is($r->{status}, 0, 'second run: exit 0');
is($r->{out}, "Found 1 public key at $url\nAlready authorized: $desc\n"
   . "$ak is up to date\n", 'second run: nothing to do');
is(slurp($ak), $written, 'second run: same content');
is(ident_of($ak), $ident, 'second run: same inode and mtime (not written)');

# --- the same answer with CR LF line ends: the same key -------------------
(my $crlf = $served) =~ s/\n/\r\n/g;
spew("$docs/crlf.txt", $crlf);
$r = pka('-t', "$https/crlf.txt", '--ca-file', $crt);
is($r->{status}, 0, 'CR LF answer: exit 0') or diag $r->{err};
is($r->{out}, "Found 1 public key at $https/crlf.txt\nAlready authorized: "
   . "$desc\n$ak is up to date\n", 'CR LF answer: the same key, nothing to do');
is(ident_of($ak), $ident, 'CR LF answer: authorized_keys untouched');

# --- a wrong CA: the download fails, nothing changes --------------------------
$r = pka('-t', $url, '--ca-file', $other);
is($r->{status}, 1, 'wrong CA: exit 1');
like($r->{err}, qr/\Ax2gobroker-pubkeyauthorizer: cannot fetch \Q$url\E: SSL peer certificate or SSH remote key was not OK: [^\n]+\n\z/,
     'wrong CA: certificate verification failed');
is(ident_of($ak), $ident, 'wrong CA: authorized_keys untouched');
$r = pka('-t', $url);
is($r->{status}, 1, 'system CAs only: exit 1 (self-signed certificate)');
like($r->{err}, qr/: SSL peer certificate or SSH remote key was not OK: /,
     'system CAs only: certificate verification failed');

# --- answers that are not key lines -----------------------------------------
$r = pka('-t', "$https/nosuch.txt", '--ca-file', $crt);
is($r->{status}, 1, '404: exit 1');
is($r->{err}, "x2gobroker-pubkeyauthorizer: cannot fetch $https/nosuch.txt: "
   . "HTTP status 404 (expected 200)\n", '404: message');
$r = pka('-t', "$https/dss.txt", '--ca-file', $crt);
is($r->{status}, 2, 'an ssh-dss line: exit 2');
is($r->{err}, "x2gobroker-pubkeyauthorizer: line 1 of the answer of "
   . "$https/dss.txt: key type ssh-dss is not accepted (only ssh-ed25519, "
   . "ecdsa-sha2-* and ssh-rsa)\n", 'an ssh-dss line: message');
$r = pka('-t', "$https/garbage.txt", '--ca-file', $crt);
is($r->{status}, 2, 'garbage: exit 2');
is($r->{err}, "x2gobroker-pubkeyauthorizer: line 1 of the answer of "
   . "$https/garbage.txt is not a public key line: unknown key type\n",
   'garbage: message');
spew("$docs/mixed.txt", "# the broker's key, then junk\n$served" . "ssh-ed25519 AAAA!!!!\n");
$r = pka('-t', "$https/mixed.txt", '--ca-file', $crt);
is($r->{status}, 2, 'a good line and a bad one: exit 2');
is($r->{err}, "x2gobroker-pubkeyauthorizer: line 3 of the answer of "
   . "$https/mixed.txt is not a public key line: key is not valid base64\n",
   'a good line and a bad one: the bad one named');
is(ident_of($ak), $ident, 'after 404, DSA, garbage, mixed: authorized_keys untouched');

$r = pka('-t', "$https/comments.txt", '--ca-file', $crt);
is($r->{status}, 0, 'only comments: exit 0');
is($r->{out}, "No public keys found at $https/comments.txt\n", 'only comments: message');
is(ident_of($ak), $ident, 'only comments: authorized_keys untouched');

# --- a legacy entry of the same key is replaced, the rest kept ---------------
# an unrelated key of another type
$r = run_cmd(['ssh-keygen', '-q', '-t', 'ecdsa', '-N', '', '-C', 'unrelated',
              '-f', "$base/unrelated"]);
die "ssh-keygen: $r->{err}" if $r->{status};
my $other_key = (split /\n/, slurp("$base/unrelated.pub"))[0];
my $legacy = "$ktype $kb64 old-comment";
spew($ak, "# keep me\n$legacy\n$other_key\n");
chown 0, 0, $ak;
chmod 0640, $ak;
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{status}, 0, 'legacy entry: exit 0');
is($r->{out}, "Found 1 public key at $url\nReplacing line 2 of $ak (the same "
   . "key with other options or comment)\nAdding $desc\nUpdated $ak\n",
   'legacy entry: replaced');
is(slurp($ak), "# keep me\n$other_key\n$written", 'legacy entry: gone, others kept in order, new line appended');
is(mode_of($ak) . ' ' . owner_of($ak), '0640 0:0', 'existing owner and mode kept');

# the written line present plus a legacy one: only the legacy one goes
spew($ak, "$written$legacy\n");
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{status}, 0, 'served line and legacy entry: exit 0');
is($r->{out}, "Found 1 public key at $url\nReplacing line 2 of $ak (the same "
   . "key with other options or comment)\nAlready authorized: $desc\n"
   . "Updated $ak\n", 'served line and legacy entry: the legacy one removed');
is(slurp($ak), $written, 'served line and legacy entry: one line left');

# --- a file without a final newline (B24) -----------------------------------
spew($ak, "# no newline at the end\n$other_key");
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{status}, 0, 'no final newline: exit 0');
is($r->{out}, "Found 1 public key at $url\n$ak does not end with a newline: "
   . "adding it\nAdding $desc\nUpdated $ak\n", 'no final newline: said so');
is(slurp($ak), "# no newline at the end\n$other_key\n$written", 'no final newline: fixed, line appended');
$ident = ident_of($ak);
sleep 1;
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{out}, "Found 1 public key at $url\nAlready authorized: $desc\n"
   . "$ak is up to date\n", 'then idempotent');
is(ident_of($ak), $ident, 'then not rewritten');

# --- plain HTTP when asked for: the Apache::Test server's two keys ----------
$r = pka('-t', $http, '--allow-http');
is($r->{status}, 0, '--allow-http: exit 0') or diag $r->{err};
my $two = xgb_request('GET', '/xgb-pubkeys/pubkeys/')->content;
my @two = split /\n/, $two;
is(scalar @two, 2, 'fixture: the main server serves two keys');
like($r->{out}, qr/\AFound 2 public keys at \Q$http\E\nAdding ssh-ed25519 SHA256:\S+ \(x2gobroker\@\S+\)\nAdding ssh-rsa SHA256:\S+ \(x2gobroker\@\S+\)\nUpdated \Q$ak\E\n\z/,
     '--allow-http: both added');
is(slurp($ak), "# no newline at the end\n$other_key\n$written" . written_of($two),
   '--allow-http: appended after the rest');

# --- the options are the tool's, whatever the network says --------------------
# a served line that would give a shell and pin another address; the
# administrator's own from= on the existing line stays
spew("$docs/hostile.txt", qq{command="/bin/sh",from="203.0.113.9" $ktype $kb64 $comment\n});
my $mine = qq{from="192.0.2.1,198.51.100.0/24",command="/usr/lib/x2go/x2gobroker-agent" $ktype $kb64 $comment};
spew($ak, "$other_key\n$mine\n");
$r = pka('-t', "$https/hostile.txt", '--ca-file', $crt);
is($r->{status}, 0, 'served command="/bin/sh": exit 0') or diag $r->{err};
like($r->{out}, qr/\AIgnoring the options served with line 1 of \Q$https\E\/hostile\.txt: command="\/bin\/sh",from="203\.0\.113\.9"\n/,
     'served options: ignored, with a warning');
is(slurp($ak), "$other_key\n" . qq{command="/usr/lib/x2go/x2gobroker-agent",restrict,from="192.0.2.1,198.51.100.0/24" $ktype $kb64 $comment\n},
   'written: the forced command, restrict, and the local from=; never /bin/sh');
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{out}, "Found 1 public key at $url\nAlready authorized: $desc\n$ak is up to date\n",
   'the broker\'s usual options: no warning, the local from= still there');
spew($ak, "# no newline at the end\n$other_key\n$written" . written_of($two));

# --- unsafe files --------------------------------------------------------------
my $keep = slurp($ak);
rename $ak, "$base/real_authorized_keys" or die;
symlink "$base/real_authorized_keys", $ak or die;
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{status}, 3, 'authorized_keys a symlink: exit 3');
is($r->{err}, "x2gobroker-pubkeyauthorizer: $ak is a symbolic link: refusing to use it\n",
   'authorized_keys a symlink: message');
ok(-l $ak && slurp("$base/real_authorized_keys") eq $keep, 'authorized_keys a symlink: nothing changed');
unlink $ak;
rename "$base/real_authorized_keys", $ak or die;

# ~/.ssh swapped for a symlink to a directory of root's: refused, nothing
# written there
rename $ssh, "$base/real_ssh" or die;
make_path("$base/roots");
chmod 0700, "$base/roots";
symlink "$base/roots", $ssh or die;
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{status}, 3, '~/.ssh a symlink: exit 3');
is($r->{err}, "x2gobroker-pubkeyauthorizer: $ssh is a symbolic link or not a directory: refusing to use it\n",
   '~/.ssh a symlink: message');
is_deeply([glob "$base/roots/* $base/roots/.??*"], [], '~/.ssh a symlink: root\'s directory untouched');
unlink $ssh;
rename "$base/real_ssh", $ssh or die;
chmod 0770, $ssh;
$r = pka('-t', $url, '--ca-file', $crt);
is($r->{status}, 3, '~/.ssh group-writable: exit 3');
is($r->{err}, "x2gobroker-pubkeyauthorizer: $ssh must belong to $SRV and be writable by it alone: refusing to use it\n",
   '~/.ssh group-writable: message');
chmod 0750, $ssh;
is(slurp($ak), $keep, '~/.ssh refused: authorized_keys as before');

$r = pka('-t', 'ftp://127.0.0.1/pubkeys/');
is($r->{status}, 254, 'another scheme: exit 254');
is($r->{err}, "x2gobroker-pubkeyauthorizer: unsupported URL ftp://127.0.0.1/pubkeys/: "
   . "use https://<broker>/pubkeys/\n", 'another scheme: message');
$r = run_cmd([$P, '-t', $url, '--ca-file', $crt],
             env => { %env, X2GOBROKER_DAEMON_USER => 'x2gbnosuchuser' });
is($r->{status}, 254, 'unknown broker account: exit 254');
is($r->{err}, "x2gobroker-pubkeyauthorizer: no such user: x2gbnosuchuser "
   . "(the broker account, X2GOBROKER_DAEMON_USER)\n", 'unknown broker account: message');
$r = pka('-h');
is($r->{status}, 0, '--help: exit 0');
like($r->{out}, qr/\AUsage: x2gobroker-pubkeyauthorizer -t URL .*255 not root\..*\n\z/s,
     '--help: usage with the exit statuses');

# a closed port: the download fails within the connect timeout
my $closed = free_port();
$r = pka('-t', "https://127.0.0.1:$closed/pubkeys/");
is($r->{status}, 1, 'closed port: exit 1');
like($r->{err}, qr/\Ax2gobroker-pubkeyauthorizer: cannot fetch https:\/\/127\.0\.0\.1:$closed\/pubkeys\/: Couldn't connect to server: /,
     'closed port: message');
is(slurp($ak), $keep, 'after all failures: authorized_keys as before');

$h->stop;
ok(!$h->running, 'scratch httpd stopped');
