# auth_file.t - X2GoBrokerAuthProvider file: broker credentials checked
# against t/data/htpasswd through mod_authn_file.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;

plan tests => 16, need 'x2gobroker', 'authn_file';

my $P = '/x2gobroker/plain/';

sub login {
    my ($user, $pass) = @_;
    return xgb_post($P, [task => 'listsessions', user => $user,
                         password => $pass]);
}

my $res = login('x2gbalice', 'alice secret');
is($res->code, 200, 'bcrypt entry, password with a space: 200');
like($res->content, qr/\AAUTHID:$UUID_RE\nAccess granted\nSTART_USER_SESSIONS\n/,
     'granted with a cookie and the profile list');
like($res->content, qr/^user=x2gbalice$/m, 'BROKER_USER is the htpasswd user');

$res = login('jacques', "th\x{e9}r\x{e8}se");
is($res->code, 200, 'apr1-MD5 entry, UTF-8 password: 200');

is(login('x2gbalice', 'alice  secret')->code, 401, 'wrong password: 401');
is(login('x2gbalice', 'alice secret ')->code, 401,
   'trailing space in the password matters: 401');
is(login('x2gbalice', 'Alice secret')->code, 401, 'passwords are case-sensitive');
is(login('X2GBALICE', 'alice secret')->code, 401, 'user names are case-sensitive');
is(login('nosuchuser', 'alice secret')->code, 401, 'unknown user: 401');
is(login('x2gbalice', '')->code, 401, 'empty password: 401');
is(login('', 'alice secret')->code, 401, 'empty user: 401');
is(login('', '')->code, 401, 'no credentials: 401');
is(login(' x2gbalice ', 'alice secret')->code, 200,
   'user name is stripped before the lookup');
is(login('x2gbalice:alice secret', 'alice secret')->code, 401,
   'colon in the user name does not confuse the file lookup');
is(login('test', 'test')->code, 200, 'second user: 200');

# the provider is asked every time, nothing is cached wrongly
is(login('x2gbalice', 'bobpw')->code, 401,
   'another user\'s password does not work');
