# auth_user.t - Apache authenticated the request (AuthType Basic +
# Require valid-user): r->user is trusted, the form's `user` may be empty
# and must otherwise equal r->user; no broker password is needed.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;

plan tests => 20, need 'x2gobroker', 'auth_basic', 'authn_file';

my $B = '/xgb-basic/plain/';
my @ALICE = (headers => ['Authorization' => basic_auth('x2gbalice', 'alice secret')]);

my $res = xgb_post($B, 'task=listsessions');
is($res->code, 401, 'no Basic credentials: 401 from Apache');
like($res->header('WWW-Authenticate') // '', qr/^Basic realm="x2go broker test"/,
     'Apache asks for Basic credentials');

$res = xgb_post($B, 'task=listsessions', headers => [
    'Authorization' => basic_auth('x2gbalice', 'wrong')]);
is($res->code, 401, 'wrong Basic password: 401');

$res = xgb_post($B, 'task=listsessions', @ALICE);
is($res->code, 200, 'empty user field: r->user is used');
like($res->content, qr/\AAUTHID:$UUID_RE\nAccess granted\nSTART_USER_SESSIONS\n/,
     'granted, with a cookie');
like($res->content, qr/^user=x2gbalice$/m, 'BROKER_USER is r->user');

$res = xgb_post($B, 'task=listsessions&user=x2gbalice', @ALICE);
is($res->code, 200, 'user field equal to r->user: 200');
like($res->content, qr/^user=x2gbalice$/m, 'BROKER_USER is the user');

$res = xgb_post($B, 'task=listsessions&user=%20x2gbalice%20', @ALICE);
is($res->code, 200, 'user field equal to r->user after stripping: 200');

$res = xgb_post($B, 'task=listsessions&user=x2gbbob', @ALICE);
is($res->code, 401, 'user field naming someone else: 401');
is($res->content, error_page(401, 'Unauthorized'), 'that 401 is the broker\'s page');

$res = xgb_post($B, 'task=listsessions&user=X2GBALICE', @ALICE);
is($res->code, 401, 'user field differing in case: 401');

$res = xgb_post($B, 'task=listsessions&password=garbage', @ALICE);
is($res->code, 200, 'the broker password field is not checked');

$res = xgb_post($B, 'task=selectsession&sid=p1-kde', @ALICE);
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'selectsession as r->user');

$res = xgb_post($B, 'task=testcon', @ALICE);
is($res->content, 'OK', 'testcon as r->user');

$res = xgb_post('/xgb-basic/json/', 'task=listprofiles', @ALICE);
is($res->code, 200, 'json frontend as r->user: 200');
like($res->content, qr/"user": "x2gbalice"/, 'json: BROKER_USER is r->user');

# the cookie issued to r->user works for r->user only
$res = xgb_post($B, 'task=', @ALICE);
my $id = authid_of($res) // '';
$res = xgb_post($B, "task=&authid=$id", headers => [
    'Authorization' => basic_auth('x2gbbob', 'bobpw')]);
is($res->code, 401, 'another Basic user cannot take over alice\'s cookie: 401');
is($res->content, error_page(401, 'Unauthorized'), 'that 401 is the broker\'s page');
$res = xgb_post($B, "task=&authid=$id", @ALICE);
is($res->code, 200, 'alice can still use her cookie');
