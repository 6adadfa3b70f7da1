# user_length.t - user names are capped at 255 bytes (XGB_MAX_USER_LEN):
# a longer one is bad input, 400 with a log line, before any
# authentication; 255 bytes go the normal way (401 for a wrong password,
# a cookie that works for a right one).  Before the cap, a name near
# 1000 bytes overflowed the cookie store's record and answered 500.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Digest::SHA ();
use MIME::Base64 ();
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 46, need_module 'x2gobroker';

my $E400 = error_page(400, 'Bad Request');

# a listing request of `user` to `path`, fields form-encoded (UTF-8)
sub login {
    my ($path, $user, $pass, %more) = @_;
    my $json = $path =~ m{/json/};
    return xgb_post($path, [task => $json ? 'listprofiles' : 'listsessions',
                            user => $user, password => $pass, %more]);
}

# --- plain/ and json/ with a password check (mod_authn_file) --------------
for my $fe ('plain', 'json') {
    my $P = "/x2gobroker/$fe/";
    my $res = login($P, 'u' x 255, 'wrong');
    is($res->code, 401, "$fe/: 255-byte user, wrong password: 401");
    my $mark = error_log_mark();
    $res = login($P, 'u' x 256, 'wrong');
    is($res->code, 400, "$fe/: 256-byte user: 400");
    is($res->content, $E400, "$fe/: the broker's 400 page");
    my $log = error_log_since($mark, qr/XGB00200/);
    like($log, qr/\[x2gobroker:info\] .*XGB00200: bad request: field 'user' of 256 bytes exceeds 255/,
         "$fe/: the 400 is logged with the length");
    unlike($log, qr/authentication failed|authn provider|access denied/,
           "$fe/: refused before any authentication");
    unlike($log, qr/u{256}/, "$fe/: the long name itself is not logged");
    is(login($P, 'u' x 1000, 'wrong')->code, 400, "$fe/: 1000-byte user: 400");
    is(login($P, 'u' x 10_000, 'wrong')->code, 400, "$fe/: 10000-byte user: 400");
    # bytes, not characters: U+00E9 is two bytes in UTF-8
    is(login($P, ("\x{e9}" x 127) . 'a', 'wrong')->code, 401,
       "$fe/: 255 bytes in 128 characters: 401");
    is(login($P, "\x{e9}" x 128, 'wrong')->code, 400,
       "$fe/: 256 bytes in 128 characters: 400");
    # counted after stripping, as the broker sees the name
    is(login($P, ' ' . ('u' x 255) . ' ', 'wrong')->code, 401,
       "$fe/: 255 bytes plus surrounding spaces: 401");
}

# --- where every password is accepted: the cookie store sees the name ----
# (X2GoBrokerDefaultAuthMech none: the 500 of old came from here)
for my $fe ('plain', 'json') {
    my $P = "/xgb-mechnone/$fe/";
    my $user = 'n' x 255;
    my $res = login($P, $user, 'x');
    is($res->code, 200, "$fe/: 255-byte user, password login: 200");
    my $id = $fe eq 'plain' ? authid_of($res)
           : ($res->content =~ /"next-authid":\s*"([^"]+)"/)[0];
    like($id // '', qr/\A$UUID_RE\z/, "$fe/: 255-byte user gets a cookie");
    $res = login($P, $user, '', authid => $id // '');
    is($res->code, 200, "$fe/: and can log in with it (the store kept it)");
    is(login($P, 'n' x 256, 'x')->code, 400, "$fe/: 256-byte user: 400");
    is(login($P, 'n' x 1000, 'x')->code, 400, "$fe/: 1000-byte user: 400, not 500");
}

# --- an open broker checks nothing, but a name still has to be one ------
is(login('/xgb-nopass/plain/', 'o' x 256, '')->code, 400,
   'open broker (no password required): 256-byte user: 400');
is(login('/xgb-nopass/plain/', 'o' x 255, '')->code, 200,
   'open broker: 255-byte user: 200');

# --- UCCS: the same cap on the Basic user name --------------------------
my $API = '/xgb-uccs/uccs/inifile/api/5';
sub uccs {
    my ($user, $pass) = @_;
    return xgb_request('GET', $API, headers => [Authorization => basic_auth($user, $pass)]);
}
is(uccs('u' x 255, 'wrong')->code, 401, 'uccs/: 255-byte user, wrong password: 401');
my $mark = error_log_mark();
my $res = uccs('u' x 256, 'wrong');
is($res->code, 400, 'uccs/: 256-byte user: 400');
like(error_log_since($mark, qr/XGB00204/),
     qr/XGB00204: bad request: Basic user name of 256 bytes exceeds 255/,
     'uccs/: the 400 is logged');
is(uccs('u' x 1000, 'wrong')->code, 400, 'uccs/: 1000-byte user: 400');

# --- a name Apache authenticated (AuthType Basic) -----------------------
SKIP: {
    skip 'scratch directory from t/run-suite', 8 unless have_env();
    skip 'mod_auth_basic', 8 unless X2GoBTest::Httpd::have_module('auth_basic');
    my $dir = scratch() . '/user_length';
    mkdir $dir;
    chmod 0755, $dir;
    my $sha = sub { '{SHA}' . MIME::Base64::encode_base64(Digest::SHA::sha1($_[0]), '') };
    my ($u255, $u256) = ('b' x 255, 'b' x 256);
    spew("$dir/htpasswd", "$u255:" . $sha->('pw255') . "\n$u256:" . $sha->('pw256') . "\n");
    chmod 0644, "$dir/htpasswd";
    my $profiles = data_file('profiles.conf');
    my $h = X2GoBTest::Httpd->new(name => 'userlen', modules => ['auth_basic', 'authz_user'],
        conf => <<"CONF");
<Location /b>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $profiles
    X2GoBrokerDefaultPortscanX2goservers Off
    AuthType Basic
    AuthName "user length"
    AuthBasicProvider file
    AuthUserFile $dir/htpasswd
    Require valid-user
</Location>
CONF
    my ($ok, $out) = $h->start;
    ok($ok, 'scratch httpd with Basic authentication starts') or diag $out;
    my $B = $h->url . '/b/plain/';
    $res = xgb_post($B, 'task=listsessions', headers => [Authorization => basic_auth($u255, 'pw255')]);
    is($res->code, 200, 'Basic user of 255 bytes: 200');
    like($res->content, qr/\AAUTHID:$UUID_RE\n/, 'and gets a cookie');
    my $id = authid_of($res) // '';
    $res = xgb_post($B, "task=listsessions&authid=$id",
                    headers => [Authorization => basic_auth($u255, 'pw255')]);
    is($res->code, 200, 'which works');
    $res = xgb_post($B, 'task=listsessions', headers => [Authorization => basic_auth($u256, 'pw256')]);
    is($res->code, 400, 'Basic user of 256 bytes (valid for Apache): 400');
    is($res->content, $E400, "that is the broker's 400 page");
    like($h->error_log, qr/XGB00201: authenticated user name of 256 bytes exceeds 255/,
         'and it is logged');
    $res = xgb_post($B, 'task=listsessions', headers => [Authorization => basic_auth($u256, 'wrong')]);
    is($res->code, 401, 'wrong Basic password of that user: Apache\'s 401 first');
    $h->stop;
}
