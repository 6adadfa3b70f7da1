# auth_ldap.t - X2GoBrokerAuthProvider ldap against the throwaway slapd of
# t/run-suite (users in t/data/ldap.ldif), through mod_authnz_ldap.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;

plan tests => 22, need 'x2gobroker', 'authnz_ldap', 'ldap',
    { 'slapd from t/run-suite (X2GOB_TEST_LDAPPORT)' => have_env() };

my $L = '/xgb-ldap/plain/';

sub login {
    my ($user, $pass, $where) = @_;
    return xgb_post($where || $L, [task => 'listsessions', user => $user,
                                   password => $pass]);
}

my $res = login('ldapalice', 'alice-ldap-pw');
is($res->code, 200, 'ldapalice, right password: 200');
like($res->content, qr/\AAUTHID:$UUID_RE\nAccess granted\n/, 'granted with a cookie');
is_deeply(profile_ids($res->content), [qw(ldap-alice ldap-all)],
          'ldapalice sees her profile (user ACL)');
like($res->content, qr/^user=ldapalice$/m, 'BROKER_USER is the LDAP uid');

$res = login('ldapbob', 'bob ldap pw');
is($res->code, 200, 'ldapbob, password with spaces: 200');
is_deeply(profile_ids($res->content), ['ldap-all'],
          'ldapbob does not see ldapalice\'s profile');

is(login('ldapcarol', "p\x{e4}ssw\x{f6}rd")->code, 200,
   'UTF-8 password: 200');
is(xgb_post($L, 'task=listsessions&user=ldapcarol&password=p%E4ssw%F6rd')->code, 400,
   'the same password in Latin-1 (not UTF-8): 400');

is(login('ldapalice', 'wrong')->code, 401, 'wrong password: 401');
is(login('ldapalice', 'bob ldap pw')->code, 401, 'another user\'s password: 401');
is(login('ldapalice', '')->code, 401,
   'empty password (would be an LDAP unauthenticated bind): 401');
is(login('nosuchuser', 'alice-ldap-pw')->code, 401, 'unknown uid: 401');
is(login('ldapnopw', 'anything')->code, 401, 'entry without userPassword: 401');
is(login('ldapnopw', '')->code, 401, 'entry without userPassword, empty: 401');

# filter injection: the uid must be escaped in the search filter
is(login('*', 'alice-ldap-pw')->code, 401, 'uid "*": 401');
is(login('ldapalice)(uid=*', 'alice-ldap-pw')->code, 401,
   'uid with filter syntax: 401');
is(login('ldap*', 'alice-ldap-pw')->code, 401, 'uid with a wildcard: 401');

is(login('', '')->code, 401, 'no credentials: 401');

# several providers: LDAP first, then the htpasswd file
is(login('ldapalice', 'alice-ldap-pw', '/xgb-ldapfile/plain/')->code, 200,
   'ldap+file: LDAP user accepted');
is(login('x2gbalice', 'alice secret', '/xgb-ldapfile/plain/')->code, 200,
   'ldap+file: htpasswd user accepted');
is(login('x2gbalice', 'alice-ldap-pw', '/xgb-ldapfile/plain/')->code, 401,
   'ldap+file: wrong password for both: 401');

# the cookie issued after an LDAP login works without the password
$res = login('ldapalice', 'alice-ldap-pw');
my $id = authid_of($res) // '';
$res = xgb_post($L, [task => 'listsessions', user => 'ldapalice', authid => $id]);
is($res->code, 200, 'cookie from an LDAP login: 200');
