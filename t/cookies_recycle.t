# cookies_recycle.t - the default cookie store (shmcb) lives in shared
# memory of the parent: a cookie issued by one child is redeemed by a
# newer one after the first has exited.
#
# The scratch httpd runs mpm_prefork with MaxConnectionsPerChild 1 and a
# single child slot: a child serves exactly one connection and exits by
# itself, and the parent forks the next one only after it has reaped the
# previous one, so children follow each other and never overlap.  Which
# child served a request is read from the access log (%P, next to the
# step name the request carries in a header), not guessed from the list
# of processes: start()'s port probe already uses up the first child,
# and a listing cannot tell an exiting child from the one that serves
# next.
#
# Not mpm_event: there, a child that is started while a connection
# waits can serve it and stop its listener before its main thread has
# settled in its wait for that news; the main thread then sleeps on the
# pipe of death for good, keeps the only slot ("AH03490: scoreboard is
# full") and every later request times out.  That is httpd's (it happens
# without this module loaded) and made this test fail at random.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Time::HiRes ();
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 9, need 'x2gobroker', 'socache_shmcb',
    { 'mod_mpm_prefork' => X2GoBTest::Httpd->have_module('mpm_prefork') },
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = t_dir();
my $h = X2GoBTest::Httpd->new(name => 'recycle', mpm => 'prefork',
                              conf => <<"EOF");
StartServers 1
ServerLimit 1
MaxRequestWorkers 1
MinSpareServers 1
MaxSpareServers 1
MaxConnectionsPerChild 1
LogFormat "%{X-Test-Step}i %P %>s" step
CustomLog logs/access_log step
<Location /xgb>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $dir/data/profiles.conf
    X2GoBrokerDefaultPortscanX2goservers Off
    X2GoBrokerAuthProvider file
    AuthUserFile $dir/data/htpasswd
</Location>
EOF
my ($ok, $out) = $h->start;
ok($ok, 'scratch httpd started') or diag $out;

my $url = $h->url . '/xgb/plain/';

# step(NAME, FORM) -> (response, pid of the child that served it): a
# POST marked with NAME.  The child writes its access log line only
# after the response has gone out, so wait for the line (up to 10 s).
sub step {
    my ($name, $form) = @_;
    my $res = xgb_post($url, $form, headers => ['X-Test-Step' => $name]);
    my $deadline = Time::HiRes::time() + 10;
    while (1) {
        my ($pid) = $h->log_file('access_log') =~ /^\Q$name\E (\d+) /m;
        return ($res, $pid) if $pid || Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.05);
    }
}

# Has child PID of the scratch parent exited (gone, or a zombie not yet
# reaped)?  Waits up to 10 s: a child exits once its connection is over.
sub exited {
    my $pid = shift // return 0;
    my $parent = $h->pid // return 0;
    my $deadline = Time::HiRes::time() + 10;
    while (Time::HiRes::time() < $deadline) {
        open my $fh, '<', "/proc/$pid/stat" or return 1;
        my $line = <$fh> // '';
        return 1 unless $line =~ /^\d+ \(.*\) (\S) (\d+) /
            && $1 ne 'Z' && $1 ne 'X' && $2 == $parent;
        Time::HiRes::sleep(0.05);
    }
    return 0;
}

sub pid_str { join ', ', map { $_ // '(not logged)' } @_ }

my ($res, $issuer) = step(login => [task => '', user => 'x2gbalice',
                                    password => 'alice secret',
                                    authid => '']);
my $c1 = authid_of($res) // '';
like($c1, qr/\A$UUID_RE\z/, 'password login: cookie issued');
ok(exited($issuer), 'the child that issued it has exited')
    or diag 'issued by pid ', pid_str($issuer);

# One slot, so a child serving now was forked after the issuer had gone.
($res, my $redeemer) = step(redeem => [task => '', user => 'x2gbalice',
                                       authid => $c1]);
is($res->code, 200, 'the new child accepts the cookie');
ok($issuer && $redeemer && $redeemer != $issuer,
   'it is another process than the issuer')
    or diag 'issuer, redeemer: ', pid_str($issuer, $redeemer);
my $c2 = authid_of($res) // '';
like($c2, qr/\A$UUID_RE\z/, 'and issues the next one');

ok(exited($redeemer), 'that child has exited as well')
    or diag 'redeemed by pid ', pid_str($redeemer);
($res, my $third) = step(reuse => [task => '', user => 'x2gbalice',
                                   authid => $c1]);
is($res->code, 401, 'the used cookie stays used across children');
ok($third && !grep({ !$_ || $_ == $third } $issuer, $redeemer),
   'asked of a third process')
    or diag 'issuer, redeemer, third: ', pid_str($issuer, $redeemer, $third);
$h->stop;
