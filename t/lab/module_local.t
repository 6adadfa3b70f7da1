#!/usr/bin/perl
# Agent mode LOCAL: this module in an httpd on the X2Go server xgblab1
# itself (inside its namespaces, children running as the broker account
# x2gobroker, which may run the setuid agent), the servers sharing one
# PostgreSQL session DB, so the local agent knows every server's sessions.
# The farm profile spans xgblab1..3.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use HTTP::Tiny;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep);
use X2GoLab;

plan skip_all => 'the lab needs root' unless $> == 0;

my $U = 'x2gotest';
my $build = $ENV{X2GOB_LAB_BUILD} // "$FindBin::Bin/../..";
my $so = "$build/.libs/mod_x2gobroker.so";
-f $so or BAIL_OUT("build the module first ($so)");

my $lab = X2GoLab->new(db => 'pg');
$lab->up;
my $perl = $lab->agent_is_perl;
my $W = $lab->dir;

# the server's /tmp is its own: everything the httpd needs lives in $W
my $sr = "$W/modlocal";
for my $d ($sr, "$sr/logs", "$sr/run") {
    mkdir $d or die "mkdir $d: $!";
    chmod 0755, $d;
}
copy($so, "$sr/mod_x2gobroker.so") or die "copy: $!";
my $hosts = join ',', map { $lab->name($_) . ' (' . $lab->ip($_) . ')' } $lab->servers;
open my $pf, '>', "$sr/profiles.conf" or die;
print $pf "[farm]\nname=Farm\ncommand=TERMINAL\nhost=$hosts\n";
close $pf;
chmod 0644, "$sr/profiles.conf";
my $ip = $lab->ip(1);
my $port = 18443;
my $lib = qx(apxs -q LIBEXECDIR); chomp $lib;
open my $cf, '>', "$sr/httpd.conf" or die;
print $cf <<"CONF";
ServerRoot $sr
ServerName $ip
Listen $ip:$port
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error_log
LogLevel info
User x2gobroker
Group x2gobroker
KeepAlive Off
LoadModule mpm_event_module $lib/mod_mpm_event.so
LoadModule authz_core_module $lib/mod_authz_core.so
LoadModule socache_shmcb_module $lib/mod_socache_shmcb.so
LoadModule slotmem_shm_module $lib/mod_slotmem_shm.so
LoadModule x2gobroker_module $sr/mod_x2gobroker.so
<Location /x2gobroker>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $sr/profiles.conf
    X2GoBrokerDefaultAuthMech none
    X2GoBrokerDefaultAgentQueryMode LOCAL
    X2GoBrokerAgentTimeout 5
    Require all granted
</Location>
CONF
close $cf;

my ($out, $err, $rc) = $lab->exec(1, '/usr/sbin/apache2', '-d', $sr, '-f',
                                  "$sr/httpd.conf", '-k', 'start');
is($rc, 0, 'httpd starts on xgblab1') or diag "$out$err";
my $up = 0;
for (1 .. 100) {
    last if ($up = IO::Socket::INET->new(PeerAddr => $ip, PeerPort => $port,
                                         Timeout => 1) ? 1 : 0);
    sleep 0.1;
}
ok($up, "and answers on $ip:$port");

sub post
{
    my ($name, @form) = @_;
    my $res = HTTP::Tiny->new(timeout => 60)->post_form(
        "http://$ip:$port/x2gobroker/plain/", [@form, user => $U, password => 'x']);
    is($res->{status}, 200, "$name: HTTP 200") or diag $res->{content};
    return $res->{content} // '';
}
sub servers { return [ $_[0] =~ /^SERVER:(.*)$/mg ] }
sub infos { return [ map { [split /\|/] } $_[0] =~ /^SESSION_INFO:(.*)$/mg ] }

# a suspended session on xgblab2, seen by xgblab1's own agent
{
    my $sid = $lab->session(2, $U, 41, 'S');
    my $body = post('(a) listsessions', task => 'listsessions');
    like($body, qr/^status=S$/m, '(a) the local agent reports it: status=S');
    like($body, qr/^host=xgblab2$/m, '(a) on xgblab2');
    $body = post('(a) selectsession', task => 'selectsession', sid => 'farm');
    is_deeply(servers($body), ['10.200.0.12:22'], '(a) SERVER is xgblab2');
    is((infos($body)->[0] // [])->[1] // '', $sid, '(a) SESSION_INFO names it');
}

# a running session on xgblab1 is taken over through the local agent
{
    $lab->reset;
    my $sid = $lab->session(1, $U, 42, 'R');
    my $body = post('(b) selectsession', task => 'selectsession', sid => 'farm');
    is_deeply(servers($body), ['10.200.0.11:22'], '(b) SERVER is xgblab1');
    is((infos($body)->[0] // [])->[4] // '', 'S', '(b) SESSION_INFO: status S');
    is($lab->status($sid), 'S', '(b) the session is suspended in the DB');
}

my $log = do { open my $fh, '<', "$sr/logs/error_log"; local $/; <$fh> // '' };
unlike($log, qr/exit signal|Segmentation fault/, 'no httpd child crashed');
unlike($log, qr/XGB0011[345]/, 'no agent call failed') or diag $log;
($out, $err, $rc) = $lab->exec(1, '/bin/sh', '-c', "kill \$(cat $sr/run/httpd.pid)");
ok($lab->down, 'lab down');
done_testing();
