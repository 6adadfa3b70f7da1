package X2GoBTest::Agent;
# Run the C x2gobroker-agent the way brokers do, on this host: a setuid
# root copy (root:x2gobroker 4750, in the scratch directory) started as
# the x2gobroker account, with SSH_ORIGINAL_COMMAND as sshd sets it or
# with argv as agent mode LOCAL passes it.  Its syslog lines are caught:
# it runs in a private mount namespace whose /dev is a fresh tmpfs with
# /dev/null and a /dev/log that points at a socket this module listens on.
#
#   my $a = X2GoBTest::Agent->new;            # needs root
#   my $r = $a->ssh(q{sh -c '/usr/lib/x2go/x2gobroker-agent u ping'});
#   my $r = $a->local('x2gotest', 'listsessions');
#   $r->{rc}, $r->{out}, $r->{err}, $r->{log} (the syslog messages)
#   $a->policy("deny-groups = ...\n");       # its /etc/x2go/x2gobroker-agent.conf
#   $a->policy(undef);                        # none (the default)
#   $a->over('/usr/bin/x2goterminate-session' => $script);  # bind-mounted
#   $a->caller_prefix('prlimit', '--fsize=1', '--');        # between
#       setpriv and the agent, so run as the caller
use strict;
use warnings FATAL => 'all';

use File::Copy qw(copy);
use File::Path qw(make_path);
use IO::Socket::UNIX ();
use Socket qw(SOCK_DGRAM);
use X2GoBTest qw(scratch slurp);

sub new {
    my ($class, %a) = @_;
    my $built = $ENV{X2GOB_TEST_AGENT} or die "X2GOB_TEST_AGENT not set\n";
    my $dir = scratch() . '/agent';
    make_path($dir);
    chmod 0755, $dir;
    my $agent = "$dir/x2gobroker-agent";
    copy($built, $agent) or die "copy $built: $!\n";
    my $gid = getgrnam('x2gobroker') // die "no group x2gobroker\n";
    chown 0, $gid, $agent or die "chown: $!\n";
    # chown clears the set-uid bit: mode last
    chmod 04750, $agent or die "chmod: $!\n";
    my $sock = "$dir/log.sock";
    unlink $sock;
    my $log = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $sock)
        or die "syslog socket: $!\n";
    chmod 0666, $sock;
    $log->blocking(0);
    return bless { agent => $agent, sock => $sock, log => $log,
                   caller => $a{caller} || 'x2gobroker' }, $class;
}

sub path { $_[0]{agent} }

# The agent's policy file, as its mount namespace shows it: TEXT in a
# copy of /etc/x2go bind-mounted over /etc/x2go (undef: no file), with
# mode (default 0644), owner uid (default root) or a symlink instead.
sub policy {
    my ($self, $text, %o) = @_;
    my $etc = scratch() . '/agent/etc-x2go';
    system('rm', '-rf', $etc);
    if (!defined $text) {
        delete $self->{over}{'/etc/x2go'};
        return;
    }
    system('cp', '-a', '/etc/x2go', $etc) == 0 or die "cp /etc/x2go\n";
    my $f = "$etc/x2gobroker-agent.conf";
    if ($o{symlink}) {
        my $real = scratch() . '/agent/policy-target';
        open my $fh, '>', $real or die "$real: $!\n";
        print $fh $text;
        close $fh;
        symlink $real, $f or die "symlink: $!\n";
    }
    else {
        open my $fh, '>', $f or die "$f: $!\n";
        print $fh $text;
        close $fh;
        chown $o{uid} // 0, 0, $f;
        chmod $o{mode} // 0644, $f;
    }
    $self->{over}{'/etc/x2go'} = $etc;
}

# Bind-mount FILE over PATH in the agent's mount namespace (undef: no
# longer).
sub over {
    my ($self, $path, $file) = @_;
    if (defined $file) { $self->{over}{$path} = $file }
    else { delete $self->{over}{$path} }
}

# Words run as the caller before the agent (they must exec the rest).
sub caller_prefix { my $self = shift; $self->{prefix} = [@_] }

# Run with argv (mode LOCAL) and optionally SSH_ORIGINAL_COMMAND.
sub run {
    my ($self, $env_cmd, @argv) = @_;
    my $setup = $self->{hide_x2goserver}
        ? 'mount --bind /dev/null /usr/bin/x2golistsessions && ' : '';
    for my $path (sort keys %{ $self->{over} || {} }) {
        $setup .= "mount --bind '$self->{over}{$path}' '$path' && ";
    }
    my $out = scratch() . '/agent/out';
    my $err = scratch() . '/agent/err';
    # the x2gobroker account runs the setuid copy, in a mount namespace
    # whose /dev holds only what the agent needs
    my @cmd = ('unshare', '-m', '--propagation', 'private', 'sh', '-c',
        $setup . 'mount -t tmpfs -o mode=755 tmpfs /dev'
        . ' && mknod -m 666 /dev/null c 1 3'
        . ' && ln -s "$0" /dev/log && exec "$@"', $self->{sock},
        'setpriv', '--reuid=' . $self->{caller}, '--regid=' . $self->{caller},
        '--init-groups', '--', @{ $self->{prefix} || [] },
        'env', '-i', 'PATH=/usr/bin:/bin',
        (defined $env_cmd ? ("SSH_ORIGINAL_COMMAND=$env_cmd",
                             'SSH_CONNECTION=192.0.2.9 40000 192.0.2.1 22')
                          : ()),
        $self->{agent}, @argv);
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $out or die;
        open STDERR, '>', $err or die;
        exec @cmd or die "exec: $!\n";
    }
    waitpid $pid, 0;
    my $rc = $? >> 8;
    select undef, undef, undef, 0.05;
    my @log;
    while (defined(my $from = $self->{log}->recv(my $msg, 4096))) {
        last unless length $msg;
        push @log, $msg;
    }
    return { rc => $rc, out => slurp($out), err => slurp($err),
             log => join("\n", @log) };
}

# As on a host without x2goserver (its x2golistsessions, which the agent
# looks for, hidden in the agent's mount namespace), while on.
sub without_x2goserver { $_[0]{hide_x2goserver} = $_[1] }

sub ssh   { my ($self, $cmd) = @_; return $self->run($cmd) }
sub local { my ($self, @argv) = @_; return $self->run(undef, @argv) }

1;
