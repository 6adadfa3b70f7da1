package X2GoBTest::Tools;
# Helpers for the admin tool tests (t/tools_*.t): where the built tools
# and agent are, running a program with its stdout, stderr and exit
# status captured, throwaway accounts with their home in the scratch
# directory, and a self-signed TLS certificate.
#
# The build tree is the one of the module under test ($X2GOB_TEST_MODULE,
# <build>/.libs/mod_x2gobroker.so), so VPATH builds work too.
use strict;
use warnings FATAL => 'all';

use Exporter qw(import);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use POSIX ();
use X2GoBTest qw(slurp scratch);

our @EXPORT = qw(
    build_dir tool agent_bin run_cmd make_account drop_account
    make_cert ssh_fingerprint
);

sub build_dir {
    my $so = $ENV{X2GOB_TEST_MODULE} or return undef;
    return dirname(dirname($so));
}

sub tool      { build_dir() . "/tools/$_[0]" }
sub agent_bin { build_dir() . '/agent/x2gobroker-agent' }

# run_cmd([argv...], env => {NAME => value or undef (unset)},
#         timeout => seconds (default 60))
#   -> { status => exit status (or 128+signal), out => stdout, err => stderr }
# No shell.  Output goes through files, so nothing can deadlock on a pipe.
my $runs = 0;
sub run_cmd {
    my ($argv, %opt) = @_;
    my $dir = scratch() . '/run-cmd';
    make_path($dir);
    $runs++;
    my ($of, $ef) = ("$dir/$$.$runs.out", "$dir/$$.$runs.err");
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        my $env = $opt{env} || {};
        for my $k (keys %$env) {
            if (defined $env->{$k}) {
                $ENV{$k} = $env->{$k};
            }
            else {
                delete $ENV{$k};
            }
        }
        open STDIN, '<', '/dev/null' or POSIX::_exit(126);
        open STDOUT, '>', $of or POSIX::_exit(126);
        open STDERR, '>', $ef or POSIX::_exit(126);
        {
            no warnings 'exec';
            exec { $argv->[0] } @$argv;
        }
        print STDERR "exec $argv->[0]: $!\n";
        POSIX::_exit(127);
    }
    my $status;
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm($opt{timeout} || 60);
        waitpid($pid, 0);
        $status = $?;
        alarm 0;
    };
    if (!defined $status) {
        kill 'KILL', $pid;
        waitpid($pid, 0);
        $status = $?;
    }
    my %r = (
        status => ($status & 127) ? 128 + ($status & 127) : $status >> 8,
        out    => slurp($of),
        err    => slurp($ef),
    );
    unlink $of, $ef;
    return \%r;
}

# make_account(NAME, HOME, %opt) -> (uid, gid): a throwaway login
# account with a group of the same name and its home at HOME (made,
# owned by it, unless opt{no_home}), shell /bin/sh, password '*' (not
# locked: sshd with UsePAM no refuses locked accounts).  An account left
# over from an earlier run is reused and pointed at HOME.
sub make_account {
    my ($name, $home, %opt) = @_;
    if (!getpwnam($name)) {
        system('useradd', '-M', '-U', '-d', $home, '-s', '/bin/sh', $name) == 0
            or die "useradd $name failed";
    }
    system('usermod', '-d', $home, '-s', '/bin/sh', '-p', '*', $name) == 0
        or die "usermod $name failed";
    my ($uid, $gid) = (getpwnam($name))[2, 3];
    unless ($opt{no_home}) {
        make_path($home);
        chown $uid, $gid, $home or die "chown $home: $!";
        chmod 0755, $home;
    }
    return ($uid, $gid);
}

# Remove a throwaway account and its group.  userdel refuses while a
# process of the account runs (a forced command ending late): retried
# for up to 10 s, then left for the next run to reuse.  Called from END
# blocks, so $? (the test's exit status) is kept.
sub drop_account {
    my $name = shift;
    local $?;
    for (1 .. 20) {
        return unless getpwnam($name);
        my $r = run_cmd(['userdel', $name]);
        return if $r->{status} == 0;
        select(undef, undef, undef, 0.5);
    }
}

# make_cert(DIR, NAME) -> (cert, key): a self-signed certificate for
# 127.0.0.1 (subjectAltName IP), EC P-256, valid two days.
sub make_cert {
    my ($dir, $name) = @_;
    make_path($dir);
    my ($crt, $key) = ("$dir/$name.crt", "$dir/$name.key");
    my $r = run_cmd(['openssl', 'req', '-x509', '-newkey', 'ec',
                     '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                     '-keyout', $key, '-out', $crt, '-days', '2',
                     '-subj', "/CN=127.0.0.1",
                     '-addext', 'subjectAltName=IP:127.0.0.1']);
    die "openssl req failed: $r->{err}" if $r->{status};
    return ($crt, $key);
}

# The "SHA256:..." fingerprint ssh-keygen -l gives for a key file.
sub ssh_fingerprint {
    my $file = shift;
    my $r = run_cmd(['ssh-keygen', '-l', '-f', $file]);
    return $r->{out} =~ /^\d+ (SHA256:\S+) / ? $1 : undef;
}

1;
