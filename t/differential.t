# Differential conformance test: mod_x2gobroker against the Python reference
# broker (x2gobroker 0.0.4.3, `x2gobroker -M HTTP`).
#
# For every corpus file t/data/corpus/NN.conf (and some configuration
# variants) one reference broker runs on a free loopback port with the
# x2gobroker.conf equivalent of the module's <Location /diff/NAME> in
# t/conf/differential.conf.in.  The same requests go to both; status, body
# and Content-Type (case-insensitively) must be identical after replacing
# the random AUTHID cookie (`AUTHID:<uuid>`, `"next-authid": "<uuid>"`) by a
# placeholder.  A randomly load-balanced selectsession answer must be one of
# the reference's possible answers.  The client is always 127.0.0.1.
#
# Deliberate divergences (spec section 10) and what is asserted instead:
#
# | bug | reference                        | mod_x2gobroker (asserted)         |
# |-----|----------------------------------|-----------------------------------|
# | B1  | debug always on: GET == POST     | GET -> 405 (Tornado's 405 page)   |
# |     |                                  | unless X2GoBrokerDebug On; then   |
# |     |                                  | GET == reference GET (01-debug)   |
# | B2  | acl-any-order ignored            | fallback for an empty             |
# |     |                                  | acl-*-order: the reference gets   |
# |     |                                  | corpus/ref/10.conf, orders spelt  |
# |     |                                  | out                               |
# | B3  | one unparsable acl-clients-*     | unparsable entries skipped (all   |
# |     | entry (host name, /33) empties   | skipped: nothing matches, hidden):|
# |     | both client lists                | ref/10.conf has them removed      |
# | B4  | selectsession: no ACL re-check   | a profile the user may not see    |
# |     |                                  | answers like an unknown profile   |
# |     |                                  | (the reference's unknown-sid      |
# |     |                                  | answer)                           |
# | B13 | POST / and POST /pubkeys/ never  | 405 with the body of the          |
# |     | answered (405 swallowed)         | reference's 405 on plain/         |
# | B20 | /pubkeys/ text/html              | /pubkeys/: status + body only     |
# | -   | HEAD on plain/json: always 405   | same, also with X2GoBrokerDebug On|
# | -   | plain// (empty backend) 404      | httpd merges slashes: plain/      |
# | -   | multipart/form-data decoded      | not decoded: 401 as for a failed  |
# |     |                                  | login                             |
#
# Not compared: Date, Server, Expires (B20: "+1h"), Etag headers.
# Not exercised: B8 (per-host port lost / leaking after a failed port
# scan) needs host names in port-scanned profiles, and resolving those would
# send DNS queries off the machine; 16.conf port-scans IP literals only.
#
# Environment:
#   X2GOB_DIFF_ONLY=01,06     run only these cases
#   X2GOB_DIFF_SELFTEST=1     no httpd: a second reference plays the module
#                             (checks this test; divergence rows then fail)
#   X2GOB_KEEP_SCRATCH=1      keep the reference brokers' scratch directory

use strict;
use warnings FATAL => 'all';
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Encode qw(encode_utf8 decode_utf8);
use HTTP::Request;
use IO::Socket::INET;
use JSON::PP ();
use LWP::UserAgent;
use Time::HiRes qw(time);

use X2GoReference;

$ENV{PATH} = '/usr/sbin:/usr/bin:/sbin:/bin:' . ($ENV{PATH} || '');

my $SELFTEST = $ENV{X2GOB_DIFF_SELFTEST};
my $T = $FindBin::Bin;
my $CORPUS = "$T/data/corpus";

# ------------------------------------------------------------------------
# System users and groups the ACL corpus files refer to.  t/run-suite
# creates x2gbalice, x2gbbob, x2gbstaff = {x2gbalice, x2gbbob} and
# x2gbadmins = {x2gbalice}; x2gbnobody (no groups) and x2gbref (runs the
# reference broker) are ours.  When we are root we create whatever is
# missing, the same way (idempotent, never changing existing accounts).
my @SYSUSERS = qw(x2gbalice x2gbbob x2gbnobody);

sub ensure_accounts
{
    return unless $> == 0;
    for my $u (@SYSUSERS, 'x2gbref') {
        next if getpwnam($u);
        my @home = $u eq 'x2gbref' ? ('-m') : ('-M', '-d', '/nonexistent');
        system('useradd', @home, '-s', '/usr/sbin/nologin', $u) == 0
            or diag("useradd $u failed");
    }
    my %members = (x2gbstaff => [qw(x2gbalice x2gbbob)],
                   x2gbadmins => ['x2gbalice']);
    for my $g (sort keys %members) {
        system('groupadd', $g) unless getgrnam($g);
        my @g = getgrnam($g) or next;
        for my $u (@{ $members{$g} }) {
            next if " $g[3] " =~ / \Q$u\E /;
            system('gpasswd', '-a', $u, $g) == 0
                or diag("gpasswd -a $u $g failed");
        }
    }
}

sub in_group
{
    my ($u, $g) = @_;
    my @g = getgrnam($g) or return 0;
    return scalar grep { $_ eq $u } split ' ', $g[3];
}

sub accounts_ok
{
    for (@SYSUSERS) { return 0 unless getpwnam($_) }
    my @b = getpwnam('x2gbbob');
    my @bg = getgrgid($b[3]);
    return in_group('x2gbalice', 'x2gbstaff')
        && in_group('x2gbbob', 'x2gbstaff')
        && in_group('x2gbalice', 'x2gbadmins')
        && !in_group('x2gbbob', 'x2gbadmins')
        && !grep({ in_group('x2gbnobody', $_) } qw(x2gbstaff x2gbadmins))
        && @bg && $bg[0] eq 'x2gbbob';
}

# ------------------------------------------------------------------------
# The cases: module location /diff/NAME <-> reference configuration.
my %TS = (mech => 'testsuite',
          users => [ [ 'test', 'sweet' ], [ 'jacques', 'thérèse' ] ]);
my @ALICE = ([ 'x2gbalice', 'x' ], [ 'x2gbbob', 'y' ]);

my @CASES = (
    { name => '01', file => '01.conf', %TS, full => 1 },
    { name => '01-debug', file => '01.conf', %TS, debug => 1 },
    { name => '01-nojson', file => '01.conf', %TS,
      global => { 'enable-json-output' => 'false' } },
    { name => '01-noplain', file => '01.conf', %TS,
      global => { 'enable-plain-output' => 'false' } },
    { name => '01-nopass', file => '01.conf', %TS,
      global => { 'require-password' => 'false' } },
    { name => '01-cookieonly', file => '01.conf', %TS, cookieonly => 1,
      global => { 'require-password' => 'false', 'require-cookie' => 'true',
                  'my-cookie' => '11111111-2222-4333-8444-555555555555' } },
    { name => '01-static', file => '01.conf', %TS, static => 1,
      global => { 'use-static-cookie' => 'true' } },
    { name => '02', file => '02.conf', mech => 'none',
      users => [ [ 'x2gbalice', '' ] ] },
    { name => '03', file => '03.conf', %TS },
    { name => '04', file => '04.conf', mech => 'none',
      users => [ [ 'x2gbalice', 'pw' ] ] },
    { name => '05', file => '05.conf', %TS },
    { name => '06', file => '06.conf', mech => 'none', sys => 1,
      users => [ @ALICE, [ 'x2gbnobody', 'z' ], [ 'test', 't' ],
                 [ 'jürgen', 'ü' ], [ '', '' ] ] },
    { name => '07', file => '07.conf', mech => 'none', sys => 1,
      global => { 'default-group-db' => 'libnss' },
      users => [ @ALICE, [ 'x2gbnobody', 'z' ] ] },
    { name => '07-primary', file => '07.conf', mech => 'none', sys => 1,
      global => { 'default-group-db' => 'libnss',
                  'ignore-primary-group-memberships' => 'false' },
      users => [ @ALICE, [ 'x2gbnobody', 'z' ] ] },
    { name => '08', file => '08.conf', mech => 'none',
      global => { 'default-user-db' => 'testsuite',
                  'default-group-db' => 'testsuite' },
      users => [ map { [ $_, 'pw' ] } qw(flip maja kassandra thekla willi) ] },
    { name => '09', file => '09.conf', %TS },
    { name => '10', file => '10.conf', ref_file => 'ref/10.conf',
      mech => 'none', sys => 1,
      global => { 'default-group-db' => 'libnss' },
      users => [ @ALICE ] },
    { name => '11', file => '11.conf', %TS },
    { name => '11-autologin', file => '11.conf', %TS,
      global => { 'default-session-autologin' => 'true' } },
    { name => '12', file => '12.conf', %TS },
    { name => '13', file => '13.conf', mech => 'none',
      users => [ [ 'x2gbalice', 'a' ] ] },
    { name => '14', file => '14.conf', %TS },
    { name => '15', file => '15.conf', mech => 'none', sys => 1,
      users => [ @ALICE, [ '', '' ] ] },
    { name => '16', file => '16.conf', %TS, users => [ [ 'test', 'sweet' ] ] },
    { name => '17', file => '17.conf', %TS },
    { name => '18', file => '18.conf', mech => 'none', sys => 1,
      users => [ @ALICE ], select_users => 1 },
    { name => '19', file => '19.conf', %TS, users => [ [ 'test', 'sweet' ] ] },
    { name => '20', file => '20.conf', %TS, users => [ [ 'test', 'sweet' ] ] },
    { name => '21', file => '21.conf', %TS, users => [ [ 'test', 'sweet' ] ] },
);

if ($ENV{X2GOB_DIFF_ONLY}) {
    my %only = map { $_ => 1 } split /[,\s]+/, $ENV{X2GOB_DIFF_ONLY};
    @CASES = grep { $only{ $_->{name} } } @CASES;
}

# ------------------------------------------------------------------------
# Preconditions
my $MOD_BASE;
if ($SELFTEST) {
    plan skip_all => 'reference broker not installed'
        unless X2GoReference::available();
}
else {
    require Apache::Test;
    my $cfg = Apache::Test::config();
    plan skip_all => 'mod_x2gobroker not built/loaded'
        unless $cfg->{modules}{'mod_x2gobroker.c'};
    plan skip_all => 'reference broker (python3-x2gobroker) not installed'
        unless X2GoReference::available();
    $MOD_BASE = 'http://127.0.0.1:' . Apache::Test::vars('port');
}

ensure_accounts();
my $ACCOUNTS = accounts_ok();
diag('system users x2gbalice/x2gbbob/x2gbnobody or groups x2gbstaff/'
     . 'x2gbadmins missing or different: ACL cases on them are skipped')
    unless $ACCOUNTS;

# listener for 16.conf's ps-one-alive (sshport 18097 on 127.0.0.1 only)
my $ALIVE = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                  LocalPort => 18097, Proto => 'tcp',
                                  Listen => 16, ReuseAddr => 1);
diag('127.0.0.1:18097 busy: profile ps-one-alive not compared')
    unless $ALIVE;

# ------------------------------------------------------------------------
# t/conf/differential.conf.in must have a <Location> per case, on the same
# corpus file (it is maintained by hand next to @CASES).
{
    my %loc;
    if (open my $fh, '<', "$T/conf/differential.conf.in") {
        my $cur;
        while (<$fh>) {
            $cur = $1 if m{^\s*<Location\s+/diff/([^>\s]+)>};
            $loc{$cur} = $1 if defined $cur
                && m{X2GoBrokerSessionProfiles\s+\S*/corpus/(\S+)};
            undef $cur if m{^\s*</Location>};
        }
        close $fh;
    }
    my @bad = map { "$_->{name} ($_->{file})" }
        grep { ($loc{ $_->{name} } || '') ne $_->{file} } @CASES;
    ok(!@bad, 'differential.conf.in has a matching <Location> per case')
        or diag("missing/different: @bad");
}

# ------------------------------------------------------------------------
# The reference brokers: each needs ~0.5 s of CPU to start, so they are
# started a few at a time in case order while earlier cases run.
my $t0 = time;
my @refs;
for my $c (@CASES) {
    next if $c->{sys} && !$ACCOUNTS;
    my %global = ('default-auth-mech' => $c->{mech},
                  %{ $c->{global} || {} });
    my $rf = "$CORPUS/" . ($c->{ref_file} || $c->{file});
    $c->{ref} = X2GoReference->new(profiles => $rf, global => \%global,
                                   name => "diff$c->{name}");
    push @refs, $c->{ref};
    if ($SELFTEST) {
        # the "module": the module's own file, same configuration
        $c->{selfmod} = X2GoReference->new(
            profiles => "$CORPUS/$c->{file}", global => \%global,
            name => "self$c->{name}");
        push @refs, $c->{selfmod};
    }
}
my $STARTING = 4;

# Start brokers in order while fewer than $STARTING are still coming up.
sub pump
{
    my $busy = grep { $_->started && $_->poll_ready == 0 } @refs;
    for my $r (grep { !$_->started && !$_->{error} } @refs) {
        last if $busy >= $STARTING;
        $r->start;
        $busy++;
    }
}

# Wait for the brokers of one case (starting them first if need be).
sub ready_for
{
    my @need = @_;
    my $deadline = time + 90;
    while (time < $deadline) {
        $_->started || $_->start for @need;
        pump();
        my @st = map { $_->poll_ready } @need;
        return 0 if grep { $_ < 0 } @st;
        return 1 unless grep { $_ == 0 } @st;
        sleep 0.05;
    }
    $_->{error} ||= 'not ready after 90 s' for @need;
    return 0;
}
pump();

# ------------------------------------------------------------------------
# HTTP
my $UA = LWP::UserAgent->new(keep_alive => 8, timeout => 30,
                             max_redirect => 0, agent => 'x2gob-diff/1');
$UA->default_headers->remove_header('TE');
my $UA_CLOSE = LWP::UserAgent->new(keep_alive => 0, timeout => 30,
                                   max_redirect => 0, agent => 'x2gob-diff/1');
$UA_CLOSE->default_headers->remove_header('TE');

sub pct
{
    my $s = shift;
    $s = '' unless defined $s;
    $s = encode_utf8($s) if utf8::is_utf8($s);
    $s =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

sub form
{
    my @kv = @_;
    my @p;
    while (@kv) {
        my ($k, $v) = splice @kv, 0, 2;
        push @p, pct($k) . '=' . pct($v);
    }
    return join '&', @p;
}

# $req: { method, path (below the base, no leading /), form => [...] |
#         raw => bytes, query => raw string, ctype => header or '' (none) }
sub send_req
{
    my ($base, $req) = @_;
    my $url = $base . '/' . $req->{path};
    $url .= '?' . $req->{query} if defined $req->{query};
    my $method = $req->{method} || 'POST';
    my $body = defined $req->{raw} ? $req->{raw}
             : $req->{form} ? form(@{ $req->{form} }) : '';
    my @h;
    my $ct = exists $req->{ctype} ? $req->{ctype}
           : 'application/x-www-form-urlencoded';
    push @h, 'Content-Type' => $ct if defined $ct && length $ct;
    my $r = HTTP::Request->new($method, $url, \@h,
                               $method eq 'GET' || $method eq 'HEAD'
                               ? undef : $body);
    $r->header('Content-Length' => length $body)
        unless $method eq 'GET' || $method eq 'HEAD';
    my $t_req = time;
    my $ua = $req->{fresh} ? $UA_CLOSE : $UA;
    my $res = $ua->request($r);
    # Tornado sometimes drops a kept-alive connection after an error
    # answer without saying so; the request never reached it: resend once.
    if (($res->header('Client-Warning') || '') eq 'Internal response'
        && $res->message =~ /reset by peer|Status read failed|closed/i) {
        $res = $UA_CLOSE->request($r);
    }
    diag(sprintf("slow request (%.1fs): %s %s", time - $t_req, $method, $url))
        if time - $t_req > 1;
    return {
        code  => $res->code,
        body  => $res->content,          # raw bytes
        ctype => scalar($res->header('Content-Type')) || '',
        rmsg  => $res->header('Client-Warning') ? $res->status_line : '',
    };
}

sub norm
{
    my $b = shift;
    my $u = qr/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    $b =~ s/AUTHID:$u/AUTHID:<uuid>/g;
    $b =~ s/"next-authid": "$u"/"next-authid": "<uuid>"/g;
    return $b;
}

sub cookie_of
{
    my $b = shift->{body};
    return $1 if $b =~ /^AUTHID:(\S+)$/m;
    return $1 if $b =~ /"next-authid": "([^"]+)"/;
    return undef;
}

sub describe
{
    my ($c, $req) = @_;
    my $body = defined $req->{raw} ? $req->{raw}
             : $req->{form} ? form(@{ $req->{form} }) : '';
    return sprintf('%s /diff/%s/%s%s%s%s', $req->{method} || 'POST',
                   $c->{name}, $req->{path},
                   defined $req->{query} ? "?$req->{query}" : '',
                   length $body ? " body=[$body]" : '',
                   exists $req->{ctype} ? " ctype=[$req->{ctype}]" : '');
}

sub show
{
    my $s = shift;
    $s =~ s/([^\x20-\x7e\n])/sprintf('\\x%02x', ord $1)/ge;
    return $s;
}

# First difference between two bodies, line-wise, with context.
sub body_diff
{
    my ($exp, $got) = @_;
    my @e = split /\n/, $exp, -1;
    my @g = split /\n/, $got, -1;
    my $i = 0;
    $i++ while $i < @e && $i < @g && $e[$i] eq $g[$i];
    my $from = $i > 2 ? $i - 2 : 0;
    my $out = "  first difference at line " . ($i + 1) . "\n";
    for my $j ($from .. $i + 3) {
        next if $j > $#e && $j > $#g;
        my $el = $j <= $#e ? show($e[$j]) : '<none>';
        my $gl = $j <= $#g ? show($g[$j]) : '<none>';
        if ($el eq $gl) {
            $out .= "    = $el\n";
        }
        else {
            $out .= "    - $el\n    + $gl\n";
        }
    }
    return $out;
}

my @FAILED;

# Compare one pair of responses.  $exp is the reference's answer (or what
# we derived from it), $got the module's.
sub check
{
    my ($c, $name, $req, $exp, $got, %o) = @_;
    my @why;
    push @why, "status: expected $exp->{code}, got $got->{code}"
        if $exp->{code} != $got->{code};
    my ($eb, $gb) = (norm($exp->{body}), norm($got->{body}));
    push @why, "body differs:\n" . body_diff($eb, $gb)
        if !$o{status_only} && $eb ne $gb;
    if (!$o{status_only} && !$o{no_ctype} && $exp->{code} == $got->{code}
        && lc $exp->{ctype} ne lc $got->{ctype}) {
        push @why, "Content-Type: expected '$exp->{ctype}', got "
            . "'$got->{ctype}'";
    }
    my $ok = ok(!@why, "$c->{name}: $name");
    if (!$ok) {
        my $d = describe($c, $req);
        diag("request: $d\n" . join("\n", @why)
             . (length $eb < 600 && length $gb < 600 && $eb ne $gb
                ? "\n  expected body: [" . show($eb) . "]\n  got body:      ["
                  . show($gb) . "]" : ''));
        push @FAILED, "$c->{name}: $name :: $d";
    }
    return $ok;
}

sub ref_req { send_req($_[0]{ref}->url, $_[1]) }

sub mod_req
{
    my ($c, $req) = @_;
    return send_req($c->{selfmod}->url, $req) if $SELFTEST;
    return send_req("$MOD_BASE/diff/$c->{name}", $req);
}

# Same request to both, compare.
sub same
{
    my ($c, $name, $req, %o) = @_;
    my $e = ref_req($c, $req);
    my $g = mod_req($c, $req);
    check($c, $name, $req, $e, $g, %o);
    return ($e, $g);
}

# ------------------------------------------------------------------------
# Corpus file helpers: profile IDs in file order.
sub profile_ids
{
    my $file = shift;
    open my $fh, '<:encoding(UTF-8)', $file or die "$file: $!";
    my @ids;
    while (<$fh>) {
        push @ids, $1 if /^\[([^\]]+)\]\s*$/ && $1 ne 'DEFAULT';
    }
    close $fh;
    return @ids;
}

# Profile IDs a response lists (plain block or JSON "profiles").
sub listed_ids
{
    my $res = shift;
    return undef unless $res->{code} == 200;
    my $b = $res->{body};
    if ($b =~ /^\{/) {
        my $j = eval { JSON::PP->new->decode($b) } or return undef;
        return [ sort keys %{ $j->{profiles} || {} } ];
    }
    my @ids;
    my ($blk) = $b =~ /START_USER_SESSIONS\n(.*?)END_USER_SESSIONS\n/s;
    return [] unless defined $blk;
    push @ids, decode_utf8($1) while $blk =~ /^\[([^\]\n]+)\]$/mg;
    return \@ids;
}

# ------------------------------------------------------------------------
my %unknown_cache;

# selectsession for one (user, frontend, sid): visible profiles must give
# one of the reference's answers (sampled until it matches, for random
# load balancing); invisible ones the reference's unknown-profile answer.
sub check_select
{
    my ($c, $u, $front, $sid, $visible) = @_;
    my ($user, $pw) = @$u;
    my $req = {
        path => "$front/inifile/",
        form => [ task => 'selectsession',
                  ($front eq 'json' ? ('profile-id' => $sid) : (sid => $sid)),
                  user => $user, password => $pw ],
    };
    my $got = mod_req($c, $req);
    my $label = "select $front user=" . show(encode_utf8($user))
        . ' sid=' . show(encode_utf8($sid));
    if (!$visible) {
        my $key = "$c->{name}\0$user\0$front";
        $unknown_cache{$key} ||= ref_req($c, {
            path => "$front/inifile/",
            form => [ task => 'selectsession',
                      ($front eq 'json' ? 'profile-id' : 'sid')
                          => 'no-such-profile-x2gob',
                      user => $user, password => $pw ] });
        return check($c, "$label (not visible: B4)", $req,
                     $unknown_cache{$key}, $got);
    }
    my $exp;
    for (1 .. 40) {
        $exp = ref_req($c, $req);
        last if $exp->{code} == $got->{code}
             && norm($exp->{body}) eq norm($got->{body});
    }
    return check($c, $label, $req, $exp, $got);
}

sub user_label { my $u = shift; 'user=' . show(encode_utf8($u->[0])) }

# ------------------------------------------------------------------------
# Generic requests, run for every case.
sub run_generic
{
    my $c = shift;
    my @users = @{ $c->{users} };
    my @ids = profile_ids("$CORPUS/$c->{file}");
    my $first = $users[0];
    my %visible;

    for my $u (@users) {
        my $cred = [ user => $u->[0], password => $u->[1] ];
        my ($pe) = same($c, 'plain listsessions ' . user_label($u),
                        { path => 'plain/inifile/',
                          form => [ task => 'listsessions', @$cred ] });
        my ($je) = same($c, 'json listprofiles ' . user_label($u),
                        { path => 'json/inifile/',
                          form => [ task => 'listprofiles', @$cred ] });
        my $ids = listed_ids($pe) || listed_ids($je) || [];
        $visible{ $u->[0] } = { map { $_ => 1 } @$ids };
    }

    # other tasks, first user only
    my $cred = [ user => $first->[0], password => $first->[1] ];
    same($c, 'plain no task', { path => 'plain/inifile/', form => $cred });
    same($c, 'json no task', { path => 'json/inifile/', form => $cred });
    same($c, 'json task=listsessions (renamed)',
         { path => 'json/inifile/',
           form => [ task => 'listsessions', @$cred ] });
    same($c, 'plain default backend',
         { path => 'plain/', form => [ task => 'listsessions', @$cred ] });
    same($c, 'plain unknown sid',
         { path => 'plain/inifile/',
           form => [ task => 'selectsession', sid => 'no-such-profile',
                     @$cred ] });
    same($c, 'json unknown profile-id',
         { path => 'json/inifile/',
           form => [ task => 'selectsession', 'profile-id' => 'nope',
                     @$cred ] });
    same($c, 'plain unknown backend 404',
         { path => 'plain/nosuch/', form => $cred });
    same($c, 'PUT plain 405',
         { method => 'PUT', path => 'plain/inifile/', form => $cred });
    if ($c->{mech} eq 'testsuite') {
        same($c, 'plain bad password 401',
             { path => 'plain/inifile/',
               form => [ task => 'listsessions', user => 'test',
                         password => 'wrong' ] });
        same($c, 'json bad password 401',
             { path => 'json/inifile/',
               form => [ task => 'listprofiles', user => 'test',
                         password => 'wrong' ] });
    }

    # B1: GET
    my $greq = { method => 'GET', path => 'plain/inifile/',
                 query => form(task => 'listsessions', @$cred), ctype => '' };
    if ($c->{debug}) {
        same($c, 'GET with X2GoBrokerDebug On == reference GET', $greq);
        same($c, 'json GET with X2GoBrokerDebug On == reference GET',
             { %$greq, path => 'json/inifile/' });
        # HEAD is 405 in the reference even in debug mode
        same($c, 'HEAD plain 405 (debug on)',
             { %$greq, method => 'HEAD' }, status_only => 1);
    }
    else {
        my $put = ref_req($c, { method => 'PUT', path => 'plain/inifile/',
                                form => $cred });
        my $got = mod_req($c, $greq);
        check($c, 'GET plain -> 405 (B1, reference: 200)', $greq, $put, $got);
        $got = mod_req($c, { %$greq, path => 'json/inifile/' });
        check($c, 'GET json -> 405 (B1, reference: 200)',
              { %$greq, path => 'json/inifile/' }, $put, $got);
    }

    # selectsession on every profile
    my @sel_users = $c->{select_users} ? ($first) : @users;
    for my $sid (@ids) {
        next if $sid eq 'ps-one-alive' && !$ALIVE;
        for my $u (@sel_users) {
            check_select($c, $u, 'plain', $sid, $visible{ $u->[0] }{$sid});
        }
        check_select($c, $first, 'json', $sid, $visible{ $first->[0] }{$sid});
    }
}

# ------------------------------------------------------------------------
# Protocol details, on /diff/01 (testsuite: test/sweet).
sub run_full
{
    my $c = shift;
    my $ok = [ user => 'test', password => 'sweet' ];
    my $ls = [ task => 'listsessions' ];
    my $P = 'plain/inifile/';
    my $J = 'json/inifile/';

    same($c, 'It works page', { method => 'GET', path => '', ctype => '' });
    # B13: the reference never answers other methods on / and /pubkeys/
    # (its handlers swallow the 405); we expect the 405 page of plain/.
    my $e405 = ref_req($c, { method => 'PUT', path => $P, form => $ok });
    for my $path ('', 'pubkeys/') {
        my $req = { path => $path, form => $ok };
        check($c, "POST /$path -> 405 (B13, reference: no answer)", $req,
              $e405, mod_req($c, $req));
    }
    same($c, '/pubkeys/ (body only, B20)',
         { method => 'GET', path => 'pubkeys/', ctype => '' }, no_ctype => 1);
    same($c, '/pubkeys (body only, B20)',
         { method => 'GET', path => 'pubkeys', ctype => '' }, no_ctype => 1);
    same($c, '/plain without slash 404', { path => 'plain', form => $ok });
    same($c, 'unknown route 404', { path => 'nothing/here', form => $ok });
    same($c, 'json unknown backend 404',
         { path => 'json/nosuch/', form => $ok });
    same($c, 'zeroconf disabled 404',
         { path => 'plain/zeroconf/', form => $ok });
    same($c, 'base disabled 404', { path => 'plain/base/', form => $ok });
    same($c, 'backend path with extra segments',
         { path => 'plain/inifile/extra/segments', form => [ @$ls, @$ok ] });
    same($c, 'backend without trailing slash',
         { path => 'plain/inifile', form => [ @$ls, @$ok ] });
    same($c, 'json default backend',
         { path => 'json/', form => [ @$ls, @$ok ] });
    same($c, 'DELETE 405', { method => 'DELETE', path => $P, ctype => '' });
    same($c, 'HEAD 405', { method => 'HEAD', path => $P, ctype => '' },
         status_only => 1);
    same($c, 'OPTIONS 405', { method => 'OPTIONS', path => $P, ctype => '' },
         status_only => 1);

    # authentication
    same($c, 'accented credentials (jacques)',
         { path => $P, form => [ @$ls, user => 'jacques',
                                 password => 'thérèse' ] });
    same($c, 'empty credentials 401', { path => $P, form => $ls });
    same($c, 'unknown user 401',
         { path => $P,
           form => [ @$ls, user => 'nobody', password => 'sweet' ] });
    same($c, 'user stripped',
         { path => $P,
           form => [ @$ls, user => "  test\t", password => 'sweet' ] });
    same($c, 'password not stripped 401',
         { path => $P,
           form => [ @$ls, user => 'test', password => ' sweet' ] });
    same($c, 'control characters become spaces 401',
         { path => $P,
           form => [ @$ls, user => "te\x01st", password => 'sweet' ] });
    same($c, 'last duplicate field wins',
         { path => $P, raw => 'task=listsessions&user=bad&user=test'
                              . '&password=x&password=sweet' });
    same($c, 'first duplicate wrong 401',
         { path => $P, raw => 'task=listsessions&user=test&password=sweet'
                              . '&password=x' });
    same($c, 'plus is a space 401',
         { path => $P, raw => 'task=listsessions&user=te+st&password=sweet' });
    same($c, 'query string and body merged',
         { path => $P, query => 'user=test&task=listsessions',
           form => [ password => 'sweet' ] });
    same($c, 'body parsed with text/plain content type',
         { path => $P, ctype => 'text/plain',
           raw => 'task=listsessions&user=test&password=sweet' });
    same($c, 'body parsed without content type',
         { path => $P, ctype => '',
           raw => 'task=listsessions&user=test&password=sweet' });
    same($c, 'form content type with charset',
         { path => $P,
           ctype => 'application/x-www-form-urlencoded; charset=UTF-8',
           raw => 'task=listsessions&user=test&password=sweet' });
    same($c, 'invalid UTF-8 400',
         { path => $P, raw => 'task=listsessions&user=%FF%FE&password=sweet' });
    same($c, 'invalid UTF-8 in password 400',
         { path => $P, raw => 'task=listsessions&user=test&password=%C3' });
    same($c, 'json invalid UTF-8 400',
         { path => $J, raw => 'task=listprofiles&user=%FF&password=sweet' });
    same($c, 'invalid UTF-8 in an unused field is ignored',
         { path => $P, raw => 'task=listsessions&user=test&password=sweet'
                              . '&junk=%FF%FE' });
    same($c, 'invalid UTF-8 in a field name',
         { path => $P, raw => 'task=listsessions&user=test&password=sweet'
                              . '&%FF=1' });
    same($c, 'malformed percent escape kept literally 401',
         { path => $P,
           raw => 'task=listsessions&user=te%ZZst&password=sweet' });
    same($c, 'semicolon is not a separator 401',
         { path => $P, raw => 'task=listsessions;user=test&password=sweet' });
    same($c, 'empty pairs and a bare name',
         { path => $P, raw => '&&task=listsessions&&bare&=x&user=test'
                              . '&password=sweet&' });
    same($c, 'field names are case-sensitive 401',
         { path => $P, raw => 'task=listsessions&User=test&password=sweet' });
    same($c, 'user with NBSP/ideographic space around (Unicode strip)',
         { path => $P, form => [ @$ls, user => "\x{a0}test\x{3000}",
                                 password => 'sweet' ] });
    same($c, 'user with NEL/LS around (Unicode strip)',
         { path => $P, form => [ @$ls, user => "\x{85}test\x{2028}",
                                 password => 'sweet' ] });
    same($c, 'user with zero-width space is not stripped 401',
         { path => $P, form => [ @$ls, user => "\x{200b}test",
                                 password => 'sweet' ] });
    same($c, 'NUL and DEL in user 401',
         { path => $P, form => [ @$ls, user => "te\x00st\x7f",
                                 password => 'sweet' ] });
    same($c, 'tab inside user is kept 401',
         { path => $P,
           form => [ @$ls, user => "te\tst", password => 'sweet' ] });
    same($c, 'password with a trailing space 401',
         { path => $P,
           form => [ @$ls, user => 'test', password => 'sweet ' ] });
    same($c, 'user names are case-sensitive 401',
         { path => $P, form => [ @$ls, user => 'TEST', password => 'sweet' ] });
    same($c, 'task is stripped',
         { path => $P, form => [ task => " listsessions\n", @$ok ] });
    same($c, 'task is case-sensitive',
         { path => $P, form => [ task => 'LISTSESSIONS', @$ok ] });
    same($c, 'sid is stripped',
         { path => $P, form => [ task => 'selectsession', sid => "\tp1-kde ",
                                 @$ok ] });
    same($c, 'garbage authid with the right password 401',
         { path => $P, form => [ @$ls, @$ok, authid => 'not-a-cookie' ] });
    # Multipart bodies: Tornado decodes them; we read every body as
    # urlencoded (no X2Go client sends multipart), so no credentials arrive
    # and the answer is the reference's own 401 for a failed login.
    {
        my $req = { path => $P,
                    ctype => 'multipart/form-data; boundary=XYZ',
                    raw => join("\r\n", '--XYZ',
                        'Content-Disposition: form-data; name="task"', '',
                        'listsessions', '--XYZ',
                        'Content-Disposition: form-data; name="user"', '',
                        'test', '--XYZ',
                        'Content-Disposition: form-data; name="password"',
                        '', 'sweet', '--XYZ--', '') };
        my $e401 = ref_req($c, { path => $P,
                                 form => [ @$ls, user => 'test',
                                           password => 'wrong' ] });
        check($c, 'multipart/form-data body -> 401 (not decoded)', $req,
              $e401, mod_req($c, $req));
    }
    # httpd merges slashes (MergeSlashes On, its default) before the
    # module sees the path: plain// is plain/, the default backend.  The
    # reference answers 404 (empty backend name).
    {
        my $req = { path => 'plain//', form => [ @$ls, @$ok ] };
        check($c, 'plain// is plain/ (httpd MergeSlashes)', $req,
              ref_req($c, { path => 'plain/', form => [ @$ls, @$ok ] }),
              mod_req($c, $req));
    }
    same($c, 'plain/inifile// (trailing slashes)',
         { path => 'plain/inifile//', form => [ @$ls, @$ok ] });
    same($c, 'backend names are case-sensitive 404',
         { path => 'plain/INIFILE/', form => [ @$ls, @$ok ] });
    same($c, 'routes are case-sensitive 404',
         { path => 'PLAIN/inifile/', form => [ @$ls, @$ok ] });
    same($c, '/pubkeys// (body only)',
         { method => 'GET', path => 'pubkeys//', ctype => '' }, no_ctype => 1);
    same($c, 'HEAD /uccs/ with UCCS disabled',
         { method => 'HEAD', path => 'uccs/', ctype => '', fresh => 1 },
         status_only => 1);
    same($c, 'uccs API with UCCS disabled, no credentials',
         { method => 'GET', path => 'uccs/inifile/api/4', ctype => '',
           fresh => 1 });
    same($c, 'unknown field ignored',
         { path => $P, form => [ @$ls, @$ok, foo => 'bar', newpass => 'n' ] });

    # tasks
    same($c, 'testcon plain: OK',
         { path => $P, form => [ task => 'testcon', @$ok ] });
    same($c, 'testcon json: empty',
         { path => $J, form => [ task => 'testcon', @$ok ] });
    same($c, 'testcon unauthenticated 401',
         { path => $P, form => [ task => 'testcon' ] });
    same($c, 'setpass like empty task',
         { path => $P, form => [ task => 'setpass', newpass => 'n', @$ok ] });
    same($c, 'unknown task',
         { path => $P, form => [ task => 'frobnicate', @$ok ] });
    same($c, 'json unknown task',
         { path => $J, form => [ task => 'frobnicate', @$ok ] });
    same($c, 'plain selectsession without sid',
         { path => $P, form => [ task => 'selectsession', @$ok ] });
    same($c, 'json selectsession without profile-id',
         { path => $J, form => [ task => 'selectsession', @$ok ] });
    same($c, 'json sid overrides profile-id',
         { path => $J, form => [ task => 'selectsession',
                                 'profile-id' => 'p1-kde', sid => 'p2-mate',
                                 @$ok ] });
    same($c, 'plain ignores profile-id',
         { path => $P, form => [ task => 'selectsession',
                                 'profile-id' => 'p1-kde', @$ok ] });
    same($c, 'login field (agent mode NONE: no effect)',
         { path => $P, form => [ task => 'selectsession', sid => 'p3-xfce',
                                 login => 'serveruser', @$ok ] });
    same($c, 'json with pubkey (agent mode NONE: no effect)',
         { path => $J, form => [ task => 'selectsession',
                                 'profile-id' => 'p2-mate',
                                 pubkey => 'ssh-ed25519 AAAAC3Nza test@host',
                                 @$ok ] });
    same($c, 'x2goclient field order, raw sid',
         { path => $P, raw => 'task=selectsession&sid=p1-kde&user=test'
                              . '&password=sweet&authid=' });

    # AUTHID cookies, each side with its own cookies
    for my $front ('plain', 'json') {
        my $path = "$front/inifile/";
        my $task = $front eq 'json' ? 'listprofiles' : 'listsessions';
        my $r1 = { path => $path,
                   form => [ task => $task, @$ok, authid => '' ] };
        my ($e1, $g1) = same($c, "$front cookie 1: password login", $r1);
        my ($ec1, $gc1) = (cookie_of($e1), cookie_of($g1));
        my $uuid4 = qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}
                        -[0-9a-f]{12}$/x;
        ok(defined $gc1 && $gc1 =~ $uuid4,
           "$c->{name}: $front cookie is a lowercase UUIDv4")
            or diag('got: ' . show($g1->{body}));
        next unless defined $ec1 && defined $gc1;
        my $mk = sub {
            my ($ck, @more) = @_;
            return [ task => $task, user => 'test', authid => $ck, @more ];
        };
        my $e2 = ref_req($c, { path => $path, form => $mk->($ec1) });
        my $g2 = mod_req($c, { path => $path, form => $mk->($gc1) });
        check($c, "$front cookie 2: cookie login, no password",
              { path => $path, form => $mk->('<cookie1>') }, $e2, $g2);
        my ($ec2, $gc2) = (cookie_of($e2), cookie_of($g2));
        isnt($gc2, $gc1, "$c->{name}: $front cookie rotated");
        my $e3 = ref_req($c, { path => $path, form => $mk->($ec1) });
        my $g3 = mod_req($c, { path => $path, form => $mk->($gc1) });
        check($c, "$front cookie 3: used cookie again 401",
              { path => $path, form => $mk->('<cookie1>') }, $e3, $g3);
        next unless defined $ec2 && defined $gc2;
        my $e4 = ref_req($c, { path => $path,
                               form => $mk->($ec2, password => 'wrong') });
        my $g4 = mod_req($c, { path => $path,
                               form => $mk->($gc2, password => 'wrong') });
        check($c, "$front cookie 4: cookie login ignores the password",
              { path => $path,
                form => $mk->('<cookie2>', password => 'wrong') },
              $e4, $g4);
        my ($ec4, $gc4) = (cookie_of($e4), cookie_of($g4));
        next unless defined $ec4 && defined $gc4;
        my $e5 = ref_req($c, { path => $path, form => [ task => $task,
                               user => 'jacques', authid => $ec4 ] });
        my $g5 = mod_req($c, { path => $path, form => [ task => $task,
                               user => 'jacques', authid => $gc4 ] });
        check($c, "$front cookie 5: another user's cookie 401",
              { path => $path,
                form => [ user => 'jacques', authid => '<c4>' ] },
              $e5, $g5);
        my $r6 = { path => $path,
                   form => $mk->('deadbeef-0000-4000-8000-000000000000') };
        my $e6 = ref_req($c, $r6);
        my $g6 = mod_req($c, $r6);
        check($c, "$front cookie 6: unknown cookie 401",
              { path => $path, form => $mk->('deadbeef-...') }, $e6, $g6);
        # the cookie of step 4 is still unused: select with it
        my $sel = [ task => 'selectsession',
                    ($front eq 'json' ? 'profile-id' : 'sid') => 'p1-kde',
                    user => 'test' ];
        my $e7 = ref_req($c, { path => $path,
                               form => [ @$sel, authid => $ec4 ] });
        my $g7 = mod_req($c, { path => $path,
                               form => [ @$sel, authid => $gc4 ] });
        check($c, "$front cookie 7: selectsession with a cookie",
              { path => $path, form => [ @$sel, authid => '<c4>' ] }, $e7, $g7);
    }

    # load balancing: p4-terminal-farm is random among 3 hosts
    my %seen_ref;
    my %seen_mod;
    my $req = { path => $P, form => [ task => 'selectsession',
                                      sid => 'p4-terminal-farm', @$ok ] };
    for (1 .. 30) {
        $seen_ref{ norm(ref_req($c, $req)->{body}) }++;
        $seen_mod{ norm(mod_req($c, $req)->{body}) }++;
    }
    my @extra = grep { !$seen_ref{$_} } keys %seen_mod;
    ok(!@extra, "$c->{name}: farm selection only picks configured servers")
        or diag('unexpected: ' . join(' | ', map { show($_) } @extra));
    cmp_ok(scalar keys %seen_mod, '>=', 2,
           "$c->{name}: farm selection is random (30 tries)")
        or diag(join ' | ', map { show($_) } keys %seen_mod);
}

# require-cookie without require-password: only the pre-shared cookie
# (my-cookie) is accepted, and it is echoed back (spec 7.3 step 5).
sub run_cookieonly
{
    my $c = shift;
    my $M = '11111111-2222-4333-8444-555555555555';
    my $P = 'plain/inifile/';
    my $J = 'json/inifile/';
    my $ls = [ task => 'listsessions', user => 'test' ];
    same($c, 'pre-shared cookie: no authid 401', { path => $P, form => $ls });
    same($c, 'pre-shared cookie: password alone 401',
         { path => $P, form => [ @$ls, password => 'sweet' ] });
    same($c, 'pre-shared cookie: wrong authid 401',
         { path => $P, form => [ @$ls, authid => 'x' . substr($M, 1) ] });
    my ($e) = same($c, 'pre-shared cookie accepted and echoed',
                   { path => $P, form => [ @$ls, authid => $M ] });
    like($e->{body}, qr/^AUTHID:\Q$M\E$/m,
         "$c->{name}: reference echoes the pre-shared cookie");
    same($c, 'json pre-shared cookie accepted',
         { path => $J, form => [ task => 'listprofiles', user => 'test',
                                 authid => $M ] });
    same($c, 'pre-shared cookie, select',
         { path => $P, form => [ task => 'selectsession', sid => 'p2-mate',
                                 user => 'test', authid => $M ] });
    same($c, 'pre-shared cookie with surrounding blanks',
         { path => $P, form => [ @$ls, authid => " $M\t" ] });
}

# use-static-cookie: the cookie of the password login stays the same.
sub run_static
{
    my $c = shift;
    my $P = 'plain/inifile/';
    my $ls = [ task => 'listsessions', user => 'test' ];
    my ($e1, $g1) = same($c, 'static cookie 1: password login',
                         { path => $P, form => [ @$ls, password => 'sweet' ] });
    my ($ec, $gc) = (cookie_of($e1), cookie_of($g1));
    return unless defined $ec && defined $gc;
    for my $n (2, 3) {
        my $e = ref_req($c, { path => $P, form => [ @$ls, authid => $ec ] });
        my $g = mod_req($c, { path => $P, form => [ @$ls, authid => $gc ] });
        check($c, "static cookie $n: cookie login",
              { path => $P, form => [ @$ls, authid => '<cookie>' ] }, $e, $g);
        is(cookie_of($g), $gc, "$c->{name}: static cookie $n unchanged");
    }
}

# Protocol details that need auth mech none (on /diff/06).
sub run_none_details
{
    my $c = shift;
    my $P = 'plain/inifile/';
    same($c, 'no credentials at all (mech none)',
         { path => $P, form => [ task => 'listsessions' ] });
    same($c, 'control characters in user (mech none)',
         { path => $P,
           form => [ task => 'listsessions', user => "x2gb\x02alice\x1f" ] });
    for my $u ("x2gb alice", "tab\tuser", "per%cent", "amp&er=sand", "ünï",
               "a+b", "BROKER_USER") {
        same($c, 'odd user name ' . show(encode_utf8($u)) . ' (mech none)',
             { path => $P, form => [ task => 'listsessions', user => $u ] });
        same($c, 'json odd user name ' . show(encode_utf8($u)) . ' (mech none)',
             { path => 'json/inifile/',
               form => [ task => 'listprofiles', user => $u ] });
    }
    my $r1 = { path => $P,
               form => [ task => 'listsessions', user => '', password => '' ] };
    my ($e1, $g1) = same($c, 'empty user gets a cookie', $r1);
    my ($ec, $gc) = (cookie_of($e1), cookie_of($g1));
    if (defined $ec && defined $gc) {
        my $mk = sub {
            return [ task => 'listsessions', user => '', authid => $_[0] ];
        };
        my $e2 = ref_req($c, { path => $P, form => $mk->($ec) });
        my $g2 = mod_req($c, { path => $P, form => $mk->($gc) });
        check($c, "empty user's cookie is not stored: 401",
              { path => $P, form => [ user => '', authid => '<cookie>' ] },
              $e2, $g2);
    }
}

# ------------------------------------------------------------------------
for my $c (@CASES) {
    if ($c->{sys} && !$ACCOUNTS) {
        SKIP: { skip("$c->{name}: system users/groups missing", 1) }
        next;
    }
    my $t = time;
    my @wait = grep { $_ } $c->{ref}, $c->{selfmod};
    if (!ready_for(@wait)) {
        fail("$c->{name}: reference broker did not start");
        diag(join "\n", map { $_->error } @wait);
        next;
    }
    run_generic($c);
    run_full($c) if $c->{full};
    run_cookieonly($c) if $c->{cookieonly};
    run_static($c) if $c->{static};
    run_none_details($c) if $c->{name} eq '06';
    pump();
    note(sprintf('case %s: %.1fs', $c->{name}, time - $t));
}

X2GoReference::stop_all(@refs);
close $ALIVE if $ALIVE;

if (@FAILED) {
    diag(scalar(@FAILED) . " differential failures:\n  "
         . join("\n  ", map { show(encode_utf8($_)) } @FAILED));
}
diag(sprintf('total %.1fs', time - $t0));

done_testing();
