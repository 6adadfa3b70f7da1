# acl.t - profile ACLs through HTTP (spec 7.4): system groups (libnss,
# accounts made by t/run-suite), user lists and client addresses
# (127.0.0.1 and 127.0.0.2 as the client's source address).
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;

my %PW = (x2gbalice => 'alice secret', x2gbbob => 'bobpw',
          x2gbcarol => 'carolpw', test => 'test');

# the system accounts exist (t/run-suite creates them)
my $have_accounts = getgrnam('x2gbstaff') && getpwnam('x2gbcarol')
    && getgrnam('x2gbprim') && getgrnam('x2gbadmins');

# Expected visibility, also checked against the reference broker with
# the same accounts and profile file.
my %EXPECT = (
  '127.0.0.1' => {
    x2gbalice => [qw(admins-only client-and-group client-loopnet
                     client-not-local2 open staff-allow-deny staff-only)],
    x2gbbob   => [qw(all-but-admins client-and-group client-loopnet
                     client-not-local2 open staff-allow-deny staff-only
                     user-bob users-and-groups)],
    x2gbcarol => [qw(all-but-admins client-loopnet client-not-local2 open
                     user-overrides-group)],
    test      => [qw(all-but-admins client-loopnet client-not-local2 open)],
  },
  '127.0.0.2' => {
    x2gbalice => [qw(admins-only client-local2 client-loopnet open
                     staff-allow-deny staff-only)],
    x2gbbob   => [qw(all-but-admins client-local2 client-loopnet open
                     staff-allow-deny staff-only user-bob users-and-groups)],
    x2gbcarol => [qw(all-but-admins client-local2 client-loopnet open
                     user-overrides-group)],
    test      => [qw(all-but-admins client-local2 client-loopnet open)],
  },
);

plan tests => 2 * 4 * 2 + 7, need 'x2gobroker',
    { 'system accounts from t/run-suite (x2gbalice, x2gbstaff, ...)'
        => $have_accounts };

sub visible {
    my ($loc, $user, $ip) = @_;
    my $res = xgb_post("$loc/plain/", [task => 'listsessions', user => $user,
                                        password => $PW{$user}],
                       local_address => $ip);
    return ($res, [sort @{ profile_ids($res->content) }]);
}

for my $ip ('127.0.0.1', '127.0.0.2') {
    for my $user (qw(x2gbalice x2gbbob x2gbcarol test)) {
        my ($res, $ids) = visible('/xgb-acl', $user, $ip);
        is($res->code, 200, "$user from $ip: 200");
        is_deeply($ids, $EXPECT{$ip}{$user}, "$user from $ip: visible profiles")
            or diag "got: @$ids";
    }
}

# primary groups count only when X2GoBrokerIgnorePrimaryGroupMemberships Off
my (undef, $ids) = visible('/xgb-primacl', 'x2gbcarol', '127.0.0.1');
ok((grep { $_ eq 'primary-group' } @$ids),
   'primary group honoured when ignore-primary-group-memberships is off');
($ids) = (visible('/xgb-acl', 'x2gbcarol', '127.0.0.1'))[1];
ok(!(grep { $_ eq 'primary-group' } @$ids),
   'primary group ignored by default');

# selectsession re-checks the ACLs, for clients too
sub select_rest {
    my ($user, $sid, $ip) = @_;
    my $res = xgb_post('/xgb-acl/plain/', [task => 'selectsession', sid => $sid,
                        user => $user, password => $PW{$user}],
                       local_address => $ip);
    return plain_parts($res->content)->{rest} // '(' . $res->code . ')';
}
is(select_rest('x2gbbob', 'client-local2', '127.0.0.2'), "SERVER:127.0.0.20:22\n",
   'selectsession of a client-ACL profile from the allowed address');
is(select_rest('x2gbbob', 'client-local2', '127.0.0.1'),
   "SERVER:no-server-available:22\n",
   'selectsession of a client-ACL profile from another address');
is(select_rest('x2gbcarol', 'staff-only', '127.0.0.1'),
   "SERVER:no-server-available:22\n", 'selectsession of a group-ACL profile');
is(select_rest('x2gbalice', 'users-and-groups', '127.0.0.1'),
   "SERVER:no-server-available:22\n",
   'selectsession: a user deny beats a group allow');

# JSON listing applies the same ACLs
my $res = xgb_post('/xgb-acl/json/', [task => 'listprofiles', user => 'x2gbcarol',
                   password => 'carolpw'], local_address => '127.0.0.2');
my @json_ids = sort($res->content =~ /^        "([^"]+)": \{$/mg);
is_deeply(\@json_ids, $EXPECT{'127.0.0.2'}{x2gbcarol}, 'json listprofiles: same ACLs')
    or diag $res->content;
