# auth_ldap.t - X2GoBrokerAuthProvider ldap against the throwaway slapd of
# t/run-suite (users in t/data/ldap.ldif), through mod_authnz_ldap; and,
# with a scratch httpd, an LDAP server that cannot be reached: 503, not
# 401, on plain/, json/ and uccs/.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 43, need 'x2gobroker', 'authnz_ldap', 'ldap',
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

# --- the LDAP server is unreachable ------------------------------------------
# A port on 127.0.0.1 nobody listens on: mod_authnz_ldap gets
# LDAP_SERVER_DOWN and its provider answers AUTH_GENERAL_ERROR.  The
# password may be right, so the broker must not say 401 ("wrong
# password"): 503, with the provider and the user in the error_log.
my $dead = free_port();
my $up = "ldap://127.0.0.1:$ENV{X2GOB_TEST_LDAPPORT}/ou=people,dc=x2go,dc=test?uid";
my $down = "ldap://127.0.0.1:$dead/ou=people,dc=x2go,dc=test?uid";
my $profiles = data_file('ldap-profiles.conf');
my $htpasswd = data_file('htpasswd');
my $loc = sub {
    my ($path, $url, $extra) = @_;
    return "<Location $path>\n"
         . "    SetHandler x2gobroker\n"
         . "    X2GoBrokerSessionProfiles $profiles\n"
         . "    X2GoBrokerDefaultPortscanX2goservers Off\n"
         . "    X2GoBrokerEnableUccsOutput On\n"
         . "    X2GoBrokerAuthProvider ldap$extra\n"
         . "    AuthLDAPURL \"$url\"\n"
         . "    AuthUserFile $htpasswd\n"
         . "</Location>\n";
};
my $h = X2GoBTest::Httpd->new(name => 'ldapdown',
    modules => ['ldap', 'authnz_ldap'],
    conf => "LDAPConnectionTimeout 5\n"
          . $loc->('/down', $down, '') . $loc->('/downfile', $down, ' file')
          . $loc->('/up', $up, ''));
my ($ok, $out) = $h->start;
ok($ok, 'scratch httpd with an unreachable LDAP server starts') or diag $out;
my $D = $h->url;

# what the scratch httpd logged after MARK (a length), waiting for RE
sub log_since {
    my ($mark, $re) = @_;
    my $deadline = time + 5;
    my $log;
    while (1) {
        $log = substr($h->error_log, $mark);
        return $log if $log =~ $re || time > $deadline;
        select undef, undef, undef, 0.1;
    }
}

my $LOGRE = qr/\[x2gobroker:error\] .*XGB00030: authn provider ldap could not check the password of user 'ldapalice'/;
for my $fe ('plain', 'json') {
    my $mark = length $h->error_log;
    $res = xgb_post("$D/down/$fe/", [task => 'listsessions', user => 'ldapalice',
                                     password => 'alice-ldap-pw']);
    is($res->code, 503, "$fe/: LDAP down, right password: 503");
    like($res->content, qr{\A<html><title>503: Service Unavailable</title>}, "$fe/: the broker's error page");
    unlike($res->content, qr/AUTHID|Access granted|authid/, "$fe/: no cookie handed out");
    like(log_since($mark, qr/XGB00030/), $LOGRE,
         "$fe/: error_log names provider and user at level error");
    $res = xgb_post("$D/down/$fe/", [task => 'listsessions', user => 'ldapalice',
                                     password => 'wrong']);
    is($res->code, 503, "$fe/: LDAP down, wrong password: 503 as well (nobody can tell)");
}

# an unreachable provider ends the search, as with AuthBasicProvider: the
# next provider does not decide in its place
$res = xgb_post("$D/downfile/plain/", [task => 'listsessions', user => 'x2gbalice',
                                       password => 'alice secret']);
is($res->code, 503, 'ldap (down) then file: 503, the file is not asked');

# UCCS, HTTP Basic authentication
my $mark = length $h->error_log;
$res = xgb_request('GET', "$D/down/uccs/inifile/api/5",
                   headers => [Authorization => basic_auth('ldapalice', 'alice-ldap-pw')]);
is($res->code, 503, 'uccs/: LDAP down: 503');
ok(!defined $res->header('WWW-Authenticate'), 'uccs/ 503: no WWW-Authenticate');
like(log_since($mark, qr/XGB00030/), $LOGRE, 'uccs/: error_log names provider and user');
# user@domain: no second try without the domain when the server is down
$res = xgb_request('GET', "$D/down/uccs/inifile/api/5",
                   headers => [Authorization => basic_auth('ldapalice@x2go.test', 'alice-ldap-pw')]);
is($res->code, 503, 'uccs/: user@domain, LDAP down: 503');

# empty credentials never reach a provider: still 401
is(xgb_post("$D/down/plain/", 'task=listsessions&user=&password=')->code, 401,
   'LDAP down, no credentials: 401 (nothing to check)');

# the same configuration with a reachable server: 200 / 401
is(xgb_post("$D/up/plain/", [task => 'listsessions', user => 'ldapalice',
                             password => 'alice-ldap-pw'])->code, 200,
   'LDAP up: right password 200');
is(xgb_post("$D/up/plain/", [task => 'listsessions', user => 'ldapalice',
                             password => 'wrong'])->code, 401,
   'LDAP up: wrong password 401');
is(xgb_post("$D/up/json/", [task => 'listprofiles', user => 'ldapalice',
                            password => 'wrong'])->code, 401,
   'LDAP up, json/: wrong password 401');
is(xgb_request('GET', "$D/up/uccs/inifile/api/5",
               headers => [Authorization => basic_auth('ldapalice', 'wrong')])->code,
   401, 'LDAP up, uccs/: wrong password 401');
$h->stop;
