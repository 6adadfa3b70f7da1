package X2GoBTest::Httpd;
# A second, minimal httpd started from a .t file: its own ServerRoot under
# $X2GOB_TEST_SCRATCH/httpd-<name>, a free port on 127.0.0.1, the module
# under test ($X2GOB_TEST_MODULE) and whatever configuration the test
# passes.  Stopped by PID (its pid file) in stop() or when the object goes
# away; t/run-suite also stops leftovers through the same pid files.
use strict;
use warnings FATAL => 'all';

use Apache::Test ();
use File::Path qw(make_path);
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();
use X2GoBTest qw(free_port slurp spew);

# Modules the generated configuration loads (from apxs's LIBEXECDIR).
my @BASE_MODULES = qw(mpm_event authz_core authn_core authn_file
                      socache_shmcb);

sub libexecdir {
    my $apxs = Apache::Test::vars('apxs') || 'apxs';
    my $dir = qx($apxs -q LIBEXECDIR 2>/dev/null);
    chomp $dir;
    return $dir;
}

sub httpd_bin { Apache::Test::vars('httpd') }

# new(name => NAME, conf => TEXT, modules => [extra module names],
#     loglevel => LogLevel argument, default info)
sub new {
    my ($class, %a) = @_;
    my $root = "$ENV{X2GOB_TEST_SCRATCH}/httpd-$a{name}";
    make_path("$root/conf", "$root/logs", "$root/run");
    chmod 0755, $root, "$root/conf", "$root/run";
    my $self = bless { root => $root, port => free_port(), name => $a{name},
                       started => 0, loglevel => $a{loglevel} || 'info' },
                     $class;
    my $lib = libexecdir();
    my $load = '';
    for my $m (@BASE_MODULES, @{ $a{modules} || [] }) {
        $load .= "LoadModule ${m}_module $lib/mod_$m.so\n";
    }
    my $so = $ENV{X2GOB_TEST_MODULE};
    spew("$root/conf/httpd.conf", <<"EOF");
ServerRoot $root
ServerName 127.0.0.1
Listen 127.0.0.1:$self->{port}
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error_log
LogLevel $self->{loglevel}
User www-data
Group www-data
StartServers 1
$load
LoadModule x2gobroker_module $so
$a{conf}
EOF
    return $self;
}

sub port    { $_[0]{port} }
sub root    { $_[0]{root} }
sub url     { 'http://127.0.0.1:' . $_[0]{port} }
sub pidfile { "$_[0]{root}/run/httpd.pid" }

sub error_log {
    my $f = "$_[0]{root}/logs/error_log";
    return -f $f ? slurp($f) : '';
}

# Run the httpd binary with -d/-f and extra arguments; returns
# (exit status, combined stdout+stderr).
sub run_httpd {
    my ($self, @args) = @_;
    my $cmd = join ' ', map { "'$_'" } httpd_bin(), '-d', $self->{root},
        '-f', "$self->{root}/conf/httpd.conf", @args;
    my $out = qx($cmd 2>&1);
    return ($? >> 8, $out);
}

# start() -> (ok, output): ok once the port answers (up to 15 s).
sub start {
    my $self = shift;
    my ($rc, $out) = $self->run_httpd('-k', 'start');
    return (0, $out) if $rc != 0;
    $self->{started} = 1;
    my $deadline = Time::HiRes::time() + 15;
    while (Time::HiRes::time() < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port},
                                      Proto => 'tcp', Timeout => 1);
        if ($s) {
            close $s;
            return (1, $out);
        }
        Time::HiRes::sleep(0.1);
    }
    return (0, $out . "\n(port $self->{port} never answered)");
}

sub pid {
    my $self = shift;
    return undef unless -f $self->pidfile;
    my $pid = slurp($self->pidfile);
    $pid =~ s/\s+//g;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

# Is the parent process running?
sub running {
    my $pid = $_[0]->pid;
    return $pid && kill(0, $pid);
}

sub stop {
    my $self = shift;
    my $pid = $self->pid;
    return 1 unless $pid;
    kill 'TERM', $pid;
    my $deadline = Time::HiRes::time() + 10;
    while (kill 0, $pid) {
        if (Time::HiRes::time() > $deadline) {
            kill 'KILL', $pid;
            last;
        }
        Time::HiRes::sleep(0.1);
    }
    unlink $self->pidfile;
    $self->{started} = 0;
    return 1;
}

sub DESTROY {
    my $self = shift;
    local $?;
    $self->stop if $self->pid;
}

1;
