package X2GoReference;

# Start and stop instances of the Python reference broker
# (`x2gobroker -M HTTP`, Debian package x2gobroker 0.0.4.3) on loopback
# ports, for the differential tests.
#
#   my $ref = X2GoReference->new(profiles => $file,
#                                global => { 'default-auth-mech' => 'none' });
#   $ref->start;                 # spawns, does not wait
#   $ref->wait_ready or die $ref->error;
#   ... $ref->url . '/plain/inifile/' ...
#   $ref->stop;                  # also done for every instance in END
#
# Pitfalls handled here (see the test lab, section 7):
#  - Debian's python3 and PATH=/usr/sbin:/usr/bin:/sbin:/bin, not pyenv's;
#  - `-M HTTP` is required for -b to be honoured;
#  - the session profile file comes from X2GOBROKER_SESSIONPROFILES (the
#    [broker_inifile] session-profiles option is ignored);
#  - logging goes to a rewritten copy of x2gobroker-loggers.conf, never to
#    /var/log/x2gobroker (a root-owned access.log there breaks later runs);
#  - run through setpriv (not runuser), so the child PID is the broker's;
#  - the broker needs more than a second to exit after SIGTERM.
# The reference always runs in debug mode (spec B1), so it answers GET like
# POST, and it keeps its AUTHID cookie files in ~/.x2go/broker-cookies of the
# account it runs as (HOME is taken from the password database); files
# created there during the run are removed in END.

use strict;
use warnings;

use Carp qw(croak);
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

our $BROKER = '/usr/bin/x2gobroker';
our $LOGGERS = '/etc/x2go/broker/x2gobroker-loggers.conf';
our $SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

my %live;               # pid => instance, for END
my $scratch;            # one scratch directory per test process
my $seq = 0;
my %cookie_snapshot;    # cookie dir => { file => 1 } before our first start

# Is the reference broker installed at all?  Tests skip when not.
sub available
{
    return -x $BROKER && -x '/usr/bin/python3'
        && system("PATH=$SAFE_PATH /usr/bin/python3 -c 'import x2gobroker'"
                  . " >/dev/null 2>&1") == 0;
}

# The account the reference runs as: x2gobroker when it exists, else
# x2gotest (the lab's test user); only relevant when we are root.
sub run_user
{
    return undef if $> != 0;
    for my $u (($ENV{X2GOB_REF_USER} || ()), 'x2gbref', 'x2gobroker',
                'x2gotest') {
        my @pw = getpwnam($u);
        return $u if @pw && -d $pw[7] && $pw[2] != 0;
    }
    return undef;
}

sub scratch_dir
{
    return $scratch if $scratch;
    $scratch = tempdir('x2gobref-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    # the reference runs as another account and must traverse it
    chmod 0755, $scratch;
    return $scratch;
}

# A free TCP port on 127.0.0.1 (the kernel picks one; small race window).
sub free_port
{
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or croak "cannot bind a probe socket: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# new(profiles => path, global => {...}, sections => { name => {...} },
#     port => n)
# `global` overrides the [global] defaults below; `sections` adds other
# sections of x2gobroker.conf ([broker_inifile] enable = true is always set).
sub new
{
    my ($class, %a) = @_;
    croak 'profiles => file required' unless defined $a{profiles};
    croak "no such profile file $a{profiles}" unless -r $a{profiles};
    my %global = (
        'require-password'             => 'true',
        'require-cookie'               => 'false',
        'enable-plain-output'          => 'true',
        'enable-json-output'           => 'true',
        'default-auth-mech'            => 'none',
        'default-agent-query-mode'     => 'NONE',
        'default-portscan-x2goservers' => 'false',
        'default-session-autologin'    => 'false',
        %{ $a{global} || {} },
    );
    my %sections = (
        broker_zeroconf => { enable => 'false' },
        broker_inifile  => { enable => 'true' },
        %{ $a{sections} || {} },
    );
    my $self = bless {
        profiles => $a{profiles},
        global   => \%global,
        sections => \%sections,
        port     => $a{port},
        name     => $a{name} || 'ref',
        pid      => undef,
        error    => '',
    }, $class;
    return $self;
}

sub port  { $_[0]{port} }
sub pid   { $_[0]{pid} }
sub error { $_[0]{error} }
sub url   { 'http://127.0.0.1:' . $_[0]{port} }
sub log_file { $_[0]{dir} ? "$_[0]{dir}/stdout.log" : undef }

sub _write_file
{
    my ($path, $text) = @_;
    open my $fh, '>', $path or croak "write $path: $!";
    print $fh $text;
    close $fh or croak "close $path: $!";
    chmod 0644, $path;
}

sub _prepare
{
    my $self = shift;
    my $dir = scratch_dir() . '/' . $self->{name} . '-' . (++$seq);
    mkdir $dir or croak "mkdir $dir: $!";
    mkdir "$dir/logs" or croak "mkdir $dir/logs: $!";
    chmod 0755, $dir;
    my $user = run_user();
    if (defined $user) {
        my (undef, undef, $uid, $gid) = getpwnam($user);
        chown $uid, $gid, "$dir/logs";
    }
    $self->{dir} = $dir;
    $self->{user} = $user;

    # a private copy of the profiles, readable by the broker's account
    copy($self->{profiles}, "$dir/sessionprofiles.conf")
        or croak "copy $self->{profiles}: $!";
    chmod 0644, "$dir/sessionprofiles.conf";

    my $conf = "[global]\n";
    $conf .= "$_ = $self->{global}{$_}\n" for sort keys %{ $self->{global} };
    for my $s (sort keys %{ $self->{sections} }) {
        $conf .= "[$s]\n";
        $conf .= "$_ = $self->{sections}{$s}{$_}\n"
            for sort keys %{ $self->{sections}{$s} };
    }
    _write_file("$dir/x2gobroker.conf", $conf);

    open my $in, '<', $LOGGERS or croak "read $LOGGERS: $!";
    my $log = do { local $/; <$in> };
    close $in;
    $log =~ s{/var/log/x2gobroker/}{$dir/logs/}g;
    _write_file("$dir/loggers.conf", $log);

    $self->_snapshot_cookies;
}

sub _cookie_dir
{
    my $self = shift;
    my @pw = defined $self->{user} ? getpwnam($self->{user}) : getpwuid($>);
    return @pw ? "$pw[7]/.x2go/broker-cookies" : undef;
}

sub _snapshot_cookies
{
    my $self = shift;
    my $cd = $self->_cookie_dir or return;
    return if $cookie_snapshot{$cd};
    my %have;
    if (opendir my $dh, $cd) {
        $have{$_} = 1 for grep { !/^\.\.?$/ } readdir $dh;
        closedir $dh;
    }
    $cookie_snapshot{$cd} = \%have;
}

# Spawn the broker; returns immediately (use wait_ready).
sub start
{
    my $self = shift;
    croak 'already started' if $self->{pid};
    $self->_prepare unless $self->{dir};
    $self->{port} ||= free_port();
    my $dir = $self->{dir};
    my @cmd = ($BROKER, '-M', 'HTTP', '-C', "$dir/x2gobroker.conf",
               '-b', "127.0.0.1:$self->{port}");
    # setpriv also arranges that the broker gets SIGTERM when this test
    # process dies without running END (SIGKILL, SIGPIPE)
    if (defined $self->{user}) {
        unshift @cmd, '/usr/bin/setpriv', "--reuid=$self->{user}",
            "--regid=$self->{user}", '--init-groups', '--pdeathsig', 'TERM';
    }
    else {
        unshift @cmd, '/usr/bin/setpriv', '--pdeathsig', 'TERM';
    }
    return $self->_spawn(@cmd);
}

# Fork and exec @cmd as the broker: a clean environment (no pyenv, no
# PYTHON*), its own process group, output to stdout.log.
sub _spawn
{
    my ($self, @cmd) = @_;
    my $dir = $self->{dir};
    my $pid = fork;
    croak "fork: $!" unless defined $pid;
    if (!$pid) {
        setpgrp(0, 0);
        %ENV = (
            PATH                       => $SAFE_PATH,
            LANG                       => 'C.UTF-8',
            X2GOBROKER_TESTSUITE       => '1',
            X2GOBROKER_LOGCONFIG       => "$dir/loggers.conf",
            X2GOBROKER_SESSIONPROFILES => "$dir/sessionprofiles.conf",
            X2GOBROKER_CONFIG          => "$dir/x2gobroker.conf",
        );
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$dir/stdout.log";
        open STDERR, '>&', \*STDOUT;
        exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    $self->{pid} = $pid;
    $self->{started} = time;
    $live{$pid} = $self;
    return $self;
}

# One non-blocking look: 1 = answers HTTP (any status), 0 = not yet,
# -1 = the broker died (see error).
sub poll_ready
{
    my $self = shift;
    return 1 if $self->{ready};
    return -1 unless $self->{pid};
    if (waitpid($self->{pid}, WNOHANG) == $self->{pid}) {
        delete $live{ $self->{pid} };
        $self->{pid} = undef;
        $self->{error} = "reference broker exited early: " . $self->_log_tail;
        return -1;
    }
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $self->{port},
                                  Proto => 'tcp', Timeout => 1)
        or return 0;
    # the socket is bound before tornado serves; ask for a page
    print $s "GET /nonexistent HTTP/1.0\r\n\r\n";
    my $line = <$s>;
    close $s;
    return 0 unless defined $line && $line =~ m{^HTTP/1\.\d \d{3}};
    $self->{ready} = 1;
    return 1;
}

sub started { defined $_[0]{pid} || $_[0]{ready} }

# Wait until the broker answers HTTP (any status) on its port.
sub wait_ready
{
    my ($self, $timeout) = @_;
    $timeout ||= 20;
    my $deadline = time + $timeout;
    while (time < $deadline) {
        my $r = $self->poll_ready;
        return 1 if $r > 0;
        return 0 if $r < 0;
        sleep 0.1;
    }
    $self->{error} = "reference broker not ready after ${timeout}s: "
        . $self->_log_tail;
    return 0;
}

sub _log_tail
{
    my $self = shift;
    my $f = $self->log_file or return '';
    open my $fh, '<', $f or return '';
    my @l = <$fh>;
    close $fh;
    @l = grep { !/DeprecationWarning|logger_broker\.warn\(/ } @l;
    return join '', @l[ ($#l > 15 ? $#l - 15 : 0) .. $#l ];
}

# Stop several instances at once: TERM all, then wait (the reference takes
# more than a second), KILL the stragglers.
sub stop_all
{
    my @inst = grep { $_ && $_->{pid} } @_;
    return unless @inst;
    kill 'TERM', $_->{pid} for @inst;
    my $deadline = time + 6;
    while (@inst && time < $deadline) {
        @inst = grep {
            my $r = waitpid($_->{pid}, WNOHANG);
            if ($r == $_->{pid} || $r == -1) {
                delete $live{ $_->{pid} };
                $_->{pid} = undef;
                0;
            }
            else {
                1;
            }
        } @inst;
        sleep 0.05 if @inst;
    }
    for (@inst) {
        kill 'KILL', $_->{pid};
        waitpid($_->{pid}, 0);
        delete $live{ $_->{pid} };
        $_->{pid} = undef;
    }
}

sub stop
{
    my $self = shift;
    stop_all($self);
}

# Does any process of account $uid still run (another test's brokers)?
sub _uid_busy
{
    my $uid = shift;
    opendir my $dh, '/proc' or return 0;
    for my $p (grep { /^\d+$/ } readdir $dh) {
        my @st = stat "/proc/$p" or next;
        return 1 if $st[4] == $uid && $p != $$;
    }
    return 0;
}

# Remove cookie files the reference created during this test process,
# unless brokers of another test process may still be using the directory.
sub _clean_cookies
{
    for my $cd (keys %cookie_snapshot) {
        my @st = stat $cd or next;
        next if $st[4] != $> && _uid_busy($st[4]);
        opendir my $dh, $cd or next;
        for my $f (readdir $dh) {
            next if $f =~ /^\.\.?$/ || $cookie_snapshot{$cd}{$f};
            # only the broker's <user>_<uuid> files
            next unless $f =~ /_[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/;
            unlink "$cd/$f";
        }
        closedir $dh;
    }
}

sub cleanup
{
    stop_all(values %live);
    _clean_cookies();
    if ($scratch && !$ENV{X2GOB_KEEP_SCRATCH}) {
        system('rm', '-rf', '--', $scratch);
        $scratch = undef;
    }
}

# A test interrupted by a signal still stops its brokers (END runs on exit).
for my $sig (qw(INT TERM HUP PIPE)) {
    $SIG{$sig} = sub { die "caught SIG$sig\n" }
        if !defined $SIG{$sig} || $SIG{$sig} eq 'DEFAULT' || $SIG{$sig} eq '';
}

END {
    # keep the test's exit status
    local $?;
    cleanup();
}

1;
