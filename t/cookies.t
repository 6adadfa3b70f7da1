# cookies.t - the AUTHID cookie (spec 7.3) with the default shared-memory
# store: single-use rotation, static cookies, verify-ip (clients bound to
# 127.0.0.1 and 127.0.0.2), auth-timeout, the pre-shared cookie, and
# single use under concurrency.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use POSIX ();
use X2GoBTest;

plan tests => 48, need 'x2gobroker', 'socache_shmcb';

my @ALICE = (user => 'x2gbalice');
my $PW = 'alice secret';

sub req {
    my ($loc, $form, %opt) = @_;
    return xgb_post("$loc/plain/", [task => '', @$form], %opt);
}

sub login {
    my ($loc, %opt) = @_;
    my $res = req($loc, [@ALICE, password => $PW, authid => ''], %opt);
    return authid_of($res) // '';
}

# --- rotation --------------------------------------------------------------------
my $L = '/x2gobroker';
my $a = login($L);
like($a, qr/\A$UUID_RE\z/, 'password login issues a UUID cookie');
my $res = req($L, [@ALICE, authid => $a]);
is($res->code, 200, 'cookie login without password: 200');
my $b = authid_of($res) // '';
like($b, qr/\A$UUID_RE\z/, 'cookie login issues the next cookie');
isnt($b, $a, 'the next cookie differs');
is(req($L, [@ALICE, authid => $a])->code, 401, 'a used cookie is refused (single use)');
is(req($L, [@ALICE, authid => $a, password => $PW])->code, 401,
   'a used cookie is refused even with the right password');

# a cookie belongs to its user; another user's attempt leaves it alone
is(req($L, [user => 'x2gbbob', authid => $b])->code, 401,
   'another user presenting the cookie: 401');
is(req($L, [user => '', authid => $b])->code, 401, 'empty user with a cookie: 401');
$res = req($L, [@ALICE, authid => $b]);
is($res->code, 200, 'the owner can still use it afterwards');
my $c = authid_of($res) // '';
isnt($c, $b, 'and it rotates again');

is(req($L, [@ALICE, authid => 'not-a-cookie'])->code, 401, 'unknown cookie: 401');
is(req($L, [@ALICE, authid => 'not-a-cookie', password => $PW])->code, 401,
   'unknown cookie + right password: 401 (cookie login, password unused)');
is(req($L, [@ALICE, authid => $c, password => 'wrong'])->code, 200,
   'valid cookie + wrong password: 200 (password not checked)');
is(req($L, [@ALICE, authid => '', password => 'wrong'])->code, 401,
   'empty cookie + wrong password: 401');
is(req($L, [@ALICE, authid => "../../etc/passwd", password => $PW])->code, 401,
   'path-like cookie: 401');

# the x2goclient sequence: listsessions, selectsession, listsessions ...
my $id = login($L);
my $ok = 1;
for my $task (qw(listsessions selectsession listsessions selectsession)) {
    $res = xgb_post("$L/plain/", [task => $task, sid => 'p1-kde', @ALICE,
                                  password => '', authid => $id]);
    $ok = 0 unless $res->code == 200;
    $id = authid_of($res) // '';
}
ok($ok, 'x2goclient chain of four cookie requests');

# testcon consumes the cookie too (reference B5)
$id = login($L);
$res = req($L, [@ALICE, authid => $id, task => 'testcon']);
is($res->content, 'OK', 'testcon with a cookie: OK');
is(req($L, [@ALICE, authid => $id])->code, 401, 'testcon consumed the cookie');

# --- single use under concurrency -------------------------------------------------
$id = login($L);
my $n = 8;
my @kids;
for my $i (1 .. $n) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        my $r = req($L, [@ALICE, authid => $id]);
        POSIX::_exit($r->code == 200 ? 0 : $r->code == 401 ? 1 : 2);
    }
    push @kids, $pid;
}
my %codes;
for (@kids) { waitpid $_, 0; $codes{$? >> 8}++; }
is($codes{0} || 0, 1, "$n parallel requests with one cookie: exactly one 200")
    or diag explain \%codes;
is($codes{1} || 0, $n - 1, 'the others: 401');

# --- static cookie ------------------------------------------------------------------
my $S = '/xgb-static';
$a = login($S);
like($a, qr/\A$UUID_RE\z/, 'static: password login issues a cookie');
$res = req($S, [@ALICE, authid => $a]);
is(authid_of($res), $a, 'static: the same cookie comes back');
$res = req($S, [@ALICE, authid => $a]);
is($res->code, 200, 'static: it can be used again');
is(authid_of($res), $a, 'static: still the same');
isnt(login($S), $a, 'static: a new password login gets a new cookie');

# --- verify-ip ----------------------------------------------------------------------
$a = login($L, local_address => '127.0.0.1');
is(req($L, [@ALICE, authid => $a], local_address => '127.0.0.2')->code, 401,
   'verify-ip: the cookie is refused from another address');
is(req($L, [@ALICE, authid => $a], local_address => '127.0.0.1')->code, 401,
   'verify-ip: the refused cookie was consumed');
$a = login($L, local_address => '127.0.0.2');
$res = req($L, [@ALICE, authid => $a], local_address => '127.0.0.2');
is($res->code, 200, 'verify-ip: same address (127.0.0.2): 200');

my $NV = '/xgb-noverify';
$a = login($NV, local_address => '127.0.0.1');
$res = req($NV, [@ALICE, authid => $a], local_address => '127.0.0.2');
is($res->code, 200, 'verify-ip off: another address is fine');
$b = authid_of($res) // '';
$res = req($NV, [@ALICE, authid => $b], local_address => '127.0.0.1');
is($res->code, 200, 'verify-ip off: and back');

# --- auth-timeout (2 s) ------------------------------------------------------------
my $T = '/xgb-timeout';
$a = login($T);
$res = req($T, [@ALICE, authid => $a]);
is($res->code, 200, 'auth-timeout: fresh cookie accepted');
$b = authid_of($res) // '';
sleep 3;
is(req($T, [@ALICE, authid => $b])->code, 401,
   'auth-timeout: rotated cookie refused 3 s after the password login');
$a = login($T);
is(length $a, 36, 'auth-timeout: a new password login works');

# --- pre-shared cookie, cookie only ---------------------------------------------------
my $M = '5d1c2f0e-preshared-cookie';
my $R = '/xgb-reqcookie';
is(req($R, [user => 'anyone'])->code, 401, 'require-cookie: no cookie: 401');
is(req($R, [user => 'anyone', authid => 'wrong'])->code, 401,
   'require-cookie: wrong cookie: 401');
$res = req($R, [user => 'anyone', authid => $M]);
is($res->code, 200, 'require-cookie: the pre-shared cookie: 200');
is($res->content, "AUTHID:$M\nAccess granted\n", 'require-cookie: AUTHID echoes it');
$res = req($R, [user => 'anyone', authid => $M]);
is($res->code, 200, 'require-cookie: reusable');
is(req($R, [user => 'anyone', authid => " $M "])->code, 200,
   'require-cookie: authid is stripped');

# from a file: first non-comment line, first word
my $F = '/xgb-cookiefile';
$res = req($F, [authid => 'file-cookie-7f3e2a91']);
is($res->code, 200, 'my-cookie-file: its cookie works');
is(authid_of($res), 'file-cookie-7f3e2a91', 'my-cookie-file: echoed');
is(req($F, [authid => 'not-this-one'])->code, 401,
   'my-cookie-file wins over my-cookie');
is(req($F, [authid => 'second-line-is-not-used'])->code, 401,
   'my-cookie-file: only the first line counts');

# pre-shared cookie AND password
my $CP = '/xgb-cookiepass';
is(req($CP, [@ALICE, password => $PW])->code, 401,
   'cookie+password: password without the cookie: 401');
is(req($CP, [@ALICE, password => 'wrong', authid => $M])->code, 401,
   'cookie+password: cookie with a wrong password: 401');
$res = req($CP, [@ALICE, password => $PW, authid => $M]);
is($res->code, 200, 'cookie+password: both right: 200 (reference: 500, B6)');
$b = authid_of($res) // '';
like($b, qr/\A$UUID_RE\z/, 'cookie+password: a fresh dynamic cookie is issued');
is(req($CP, [@ALICE, authid => $b])->code, 200,
   'cookie+password: the dynamic cookie works without password');
