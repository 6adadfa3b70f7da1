package X2GoBTest::Sshd;
# A throwaway OpenSSH server for the agent tests, as in section 5 of the
# test lab guide: 127.0.0.1 and a free port only, its own host key(s),
# AllowUsers, UsePAM no, the AuthorizedKeysFile the test names (forced
# commands live there), everything under
# $X2GOB_TEST_SCRATCH/sshd-<name>.  Stopped by PID (its pid file) in
# stop() or when the object goes away.
use strict;
use warnings FATAL => 'all';

use File::Path qw(make_path);
use IO::Socket::INET ();
use Time::HiRes ();
use X2GoBTest qw(free_port slurp spew pid_from_file stop_pid);
use X2GoBTest::Tools qw(run_cmd ssh_fingerprint);

my $SSHD = '/usr/sbin/sshd';

# new(name => NAME, users => [login names], authorized_keys => value of
#     AuthorizedKeysFile (%u, %h allowed), host_keys => [types], default
#     ['ed25519'])
sub new {
    my ($class, %a) = @_;
    my $dir = "$ENV{X2GOB_TEST_SCRATCH}/sshd-$a{name}";
    make_path($dir);
    chmod 0755, $dir;
    my $self = bless { dir => $dir, port => free_port(), keys => {} },
                     $class;
    my @types = @{ $a{host_keys} || ['ed25519'] };
    for my $t (@types) {
        $self->new_host_key($t);
    }
    # sshd's privilege separation directory: missing where sshd never ran
    make_path('/run/sshd') unless -d '/run/sshd';
    chmod 0755, '/run/sshd';
    my $hostkeys = join '', map { "HostKey $dir/host_$_\n" } @types;
    spew("$dir/sshd_config", <<"EOF");
Port $self->{port}
ListenAddress 127.0.0.1
$hostkeys
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AuthorizedKeysFile $a{authorized_keys}
StrictModes no
AllowUsers @{ $a{users} }
MaxStartups 100:30:200
LogLevel VERBOSE
EOF
    return $self;
}

sub port    { $_[0]{port} }
sub dir     { $_[0]{dir} }
sub pidfile { "$_[0]{dir}/sshd.pid" }
sub log_text { my $f = "$_[0]{dir}/sshd.log"; -f $f ? slurp($f) : '' }

# (Re)make the host key of a type; takes effect at the next start().
sub new_host_key {
    my ($self, $type) = @_;
    my $f = "$self->{dir}/host_$type";
    unlink $f, "$f.pub";
    my $r = run_cmd(['ssh-keygen', '-q', '-t', $type, '-N', '', '-C',
                     "test-host-$type", '-f', $f]);
    die "ssh-keygen host key: $r->{err}" if $r->{status};
}

# "<type> <base64>" of a host key, and its SHA256 fingerprint.
sub host_key {
    my ($self, $type) = @_;
    my ($t, $b64) = split ' ', slurp("$self->{dir}/host_$type.pub");
    return "$t $b64";
}

sub host_fingerprint {
    my ($self, $type) = @_;
    return ssh_fingerprint("$self->{dir}/host_$type.pub");
}

# Bind-mount FILE over PATH for the sshd started next (and the forced
# commands it runs), in a mount namespace of its own: e.g. the built
# agent where authorized_keys lines name the installed one.
sub bind_over {
    my ($self, $path, $file) = @_;
    die "bind_over: unusable path\n" if "$path$file" =~ /['"\\\$`]/;
    $self->{binds}{$path} = $file;
}

# start() -> (ok, output): ok once the port answers (up to 10 s).
sub start {
    my $self = shift;
    my $cfg = "$self->{dir}/sshd_config";
    my $r = run_cmd([$SSHD, '-t', '-f', $cfg]);
    return (0, "sshd -t: $r->{err}") if $r->{status};
    my @ns;
    if (my $b = $self->{binds}) {
        @ns = ('unshare', '-m', '--propagation', 'private', 'sh', '-c',
               join('', map { "mount --bind '$b->{$_}' '$_' && " } sort keys %$b)
               . 'exec "$@"', 'sh');
    }
    $r = run_cmd([@ns, $SSHD, '-f', $cfg, '-E', "$self->{dir}/sshd.log"]);
    return (0, "sshd: $r->{err}") if $r->{status};
    my $deadline = Time::HiRes::time() + 10;
    while (Time::HiRes::time() < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port},
                                      Proto => 'tcp', Timeout => 1);
        if ($s && $self->pid) {
            close $s;
            return (1, '');
        }
        Time::HiRes::sleep(0.05);
    }
    return (0, "sshd never answered on port $self->{port}:\n" . $self->log_text);
}

sub pid { pid_from_file($_[0]->pidfile) }

# Stop the listening sshd by its PID (running sessions end by themselves).
sub stop {
    my $self = shift;
    my $pid = $self->pid;
    return 1 unless $pid;
    stop_pid($pid);
    unlink $self->pidfile;
    return 1;
}

sub DESTROY {
    my $self = shift;
    local $?;
    $self->stop if $self->pid;
}

1;
