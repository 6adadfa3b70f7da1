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
use X2GoBTest qw(free_port slurp spew pid_from_file stop_pid);

# Modules the generated configuration loads (from apxs's LIBEXECDIR),
# after the MPM (mpm_event unless new() is given another).
my @BASE_MODULES = qw(authz_core authn_core authn_file socache_shmcb);

sub libexecdir {
    my $apxs = Apache::Test::vars('apxs') || 'apxs';
    my $dir = qx($apxs -q LIBEXECDIR 2>/dev/null);
    chomp $dir;
    return $dir;
}

sub httpd_bin { Apache::Test::vars('httpd') }

# new(name => NAME, conf => TEXT, modules => [extra module names],
#     without => [base module names not to load, e.g. 'socache_shmcb'],
#     loglevel => LogLevel argument, default info,
#     mpm => event|worker|prefork, default event; conf must then use
#            that MPM's directives)
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
    my %without = map { $_ => 1 } @{ $a{without} || [] };
    for my $m ('mpm_' . ($a{mpm} || 'event'),
               (grep { !$without{$_} } @BASE_MODULES),
               @{ $a{modules} || [] }) {
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

# Contents of logs/NAME ('' while it does not exist), e.g. the file of a
# CustomLog the test's conf set up.
sub log_file {
    my ($self, $name) = @_;
    my $f = "$self->{root}/logs/$name";
    return -f $f ? slurp($f) : '';
}

# Is there a mod_NAME.so to load?  X2GoBTest::Httpd->have_module(NAME)
# or X2GoBTest::Httpd::have_module(NAME).
sub have_module { -f libexecdir() . "/mod_$_[-1].so" }

# Run the httpd binary with -d/-f and extra arguments; returns
# (exit status, combined stdout+stderr).
sub run_httpd {
    my ($self, @args) = @_;
    my $cmd = join ' ', map { "'$_'" } @{ $self->{prefix} || [] },
        httpd_bin(), '-d', $self->{root},
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

# start_with_binds(DIR => OVER, ...) -> (ok, output): like start(), but
# httpd runs in a private mount namespace (unshare -m) where each DIR is
# bind-mounted over OVER, e.g. to give it another /etc/x2go/broker.  The
# rest of the system never sees the mounts; they go with the last
# process of the namespace.
sub start_with_binds {
    my ($self, %binds) = @_;
    for my $p (%binds) {
        die "start_with_binds: unusable path $p\n" if $p =~ /["'\\\$`]/;
    }
    my $script = join(' && ', map { qq{mount --bind "$_" "$binds{$_}"} }
                              sort keys %binds) . ' && exec "$@"';
    local $self->{prefix} = ['unshare', '-m', '--propagation', 'private',
                             'sh', '-c', $script, 'sh'];
    return $self->start;
}

sub pid { pid_from_file($_[0]->pidfile) }

# Is the parent process running?
sub running {
    my $pid = $_[0]->pid;
    return $pid && kill(0, $pid);
}

sub stop {
    my $self = shift;
    my $pid = $self->pid;
    return 1 unless $pid;
    stop_pid($pid);
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
