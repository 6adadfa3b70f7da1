package X2GoLab;

# The lab of three real X2Go servers (t/lab/lab.sh) for Perl test files.
#
#   my $lab = X2GoLab->new(db => 'pg');      # or 'sqlite'
#   $lab->up;                                 # dies with lab.sh's reason
#   my $sid = $lab->session(2, 'x2gotest', 41, 'S');
#   my ($out, $err, $rc) = $lab->agent(2, 'x2gotest', 'listsessions');
#   my $ref = $lab->reference_broker;         # Python broker, SSH agents
#   my ($code, $body) = $ref->post(task => 'selectsession', sid => 'farm',
#                                  user => 'x2gotest', password => 'x');
#   $lab->down;                               # also from END and on signals
#
# The agent under test comes from X2GOB_LAB_AGENT: `perl` (default, the
# installed upstream agent) or the path of a built C agent.  Only one lab
# can be up on a machine at a time (lab.sh holds a lock).

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy ();
use File::Temp qw(tempdir tempfile);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

use X2GoReference;

our $LABSH = abs_path(dirname(__FILE__) . '/../lab/lab.sh');
our $SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin';
our $AGENT_PATH = '/usr/lib/x2go/x2gobroker-agent';

my %live;           # "$lab" => lab, torn down by END and signal handlers

sub new
{
    my ($class, %a) = @_;
    my $db = $a{db} || 'sqlite';
    croak "db must be sqlite or pg, not $db" unless $db =~ /^(?:sqlite|pg)$/;
    return bless {
        db        => $db,
        agent     => $a{agent} // $ENV{X2GOB_LAB_AGENT} // 'perl',
        # seconds up() waits for a lab of another test run to go down
        lock_wait => $a{lock_wait} // 300,
        env       => {},
        w         => undef,
        owner     => $$,
        brokers   => [],
    }, $class;
}

sub db { $_[0]{db} }
sub agent_kind { $_[0]{agent} }
sub agent_is_perl { $_[0]{agent} eq 'perl' }
sub dir { $_[0]{w} }

# Run a command with a deadline; returns (stdout, stderr, exit status).
# A command killed at the deadline reports 124, like timeout(1).
sub _run
{
    my ($self, $timeout, @cmd) = @_;
    my ($ofh, $ofile) = tempfile('xgblabrun-out-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my ($efh, $efile) = tempfile('xgblabrun-err-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my $pid = fork;
    croak "fork: $!" unless defined $pid;
    if (!$pid) {
        # its own process group, so a timeout can stop all of it
        setpgrp(0, 0);
        $ENV{PATH} = $SAFE_PATH;
        $ENV{W} = $self->{w} if defined $self->{w};
        $ENV{X2GOB_LAB_AGENT} = $self->{agent};
        $ENV{X2GOB_LAB_LOCK_WAIT} = $self->{lock_wait};
        open STDIN, '<', '/dev/null';
        open STDOUT, '>&', $ofh;
        open STDERR, '>&', $efh;
        # no END blocks in the child: they would tear the lab down
        CORE::exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    my $deadline = time + $timeout;
    my $status;
    while (1) {
        if (waitpid($pid, WNOHANG) == $pid) {
            $status = $?;
            last;
        }
        if (time > $deadline) {
            kill 'KILL', -$pid;
            waitpid($pid, 0);
            $status = 124 << 8;
            last;
        }
        sleep 0.01;
    }
    my $read = sub {
        open my $fh, '<', $_[0] or return '';
        local $/;
        my $s = <$fh>;
        close $fh;
        return $s // '';
    };
    my ($out, $err) = ($read->($ofile), $read->($efile));
    close $ofh;
    close $efh;
    unlink $ofile, $efile;
    my $rc = ($status & 127) ? 128 + ($status & 127) : $status >> 8;
    return ($out, $err, $rc);
}

# lab.sh COMMAND ARGS; dies unless it succeeds, returns its stdout.
sub _lab
{
    my ($self, @args) = @_;
    my ($out, $err, $rc) = $self->_run(120, $LABSH, @args);
    croak "lab.sh @args failed (status $rc): $err" if $rc != 0;
    return $out;
}

sub _need_up
{
    my $self = shift;
    croak 'the lab is not up' unless $self->{w} && %{ $self->{env} };
}

# Signals end the test through the lab's teardown.
sub _catch_signals
{
    for my $sig (qw(INT TERM HUP)) {
        $SIG{$sig} = sub {
            local $SIG{$sig} = 'IGNORE';
            _down_all();
            X2GoReference::cleanup();
            exit 128 + ({ INT => 2, TERM => 15, HUP => 1 }->{$sig});
        };
    }
}

sub up
{
    my $self = shift;
    croak 'the lab is already up' if $self->{w};
    croak "no lab script at $LABSH" unless $LABSH && -x $LABSH;
    croak 'the lab needs root' unless $> == 0;
    my $w = tempdir('xgblab-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    # x2gobroker, postgres and the test users traverse it
    chmod 0755, $w;
    $self->{w} = $w;
    $live{"$self"} = $self;
    _catch_signals();
    my ($out, $err, $rc) = $self->_run(180 + $self->{lock_wait}, $LABSH, 'up', $self->{db});
    if ($rc != 0) {
        # a killed lab.sh could not tear down its half-built lab itself
        $self->_run(120, $LABSH, 'down') if -e "$w/.xgblab";
        delete $live{"$self"};
        # lab.sh removed it unless it refused to start (lock held)
        rmdir $w;
        $self->{w} = undef;
        $err =~ s/\s+\z//;
        die "lab up ($self->{db}, agent $self->{agent}) failed (status $rc):\n$err\n";
    }
    $self->_read_env;
    return $self;
}

sub _read_env
{
    my $self = shift;
    open my $fh, '<', "$self->{w}/lab.env" or croak "read lab.env: $!";
    while (my $l = <$fh>) {
        $self->{env}{$1} = $2 if $l =~ /^(\w+)='(.*)'$/;
    }
    close $fh;
}

sub down
{
    my $self = shift;
    return unless $self->{w};
    return unless $$ == $self->{owner};
    $_->stop for grep { $_->isa('X2GoLab::ModBroker') } @{ $self->{brokers} };
    X2GoReference::stop_all(grep { !$_->isa('X2GoLab::ModBroker') } @{ $self->{brokers} });
    $self->{brokers} = [];
    my ($out, $err, $rc) = $self->_run(120, $LABSH, 'down');
    warn "lab.sh down: $err" if $rc != 0;
    delete $live{"$self"};
    $self->{w} = undef;
    $self->{env} = {};
    return $rc == 0;
}

sub _down_all { $_->down for values %live }

END {
    local $?;
    _down_all();
}

# Values from $W/lab.env; the LAB_ prefix may be left out.
sub env
{
    my ($self, $key) = @_;
    return $self->{env}{$key} // $self->{env}{"LAB_$key"};
}

sub name { my ($self, $i) = @_; $self->env("LAB_NAME_$i") // croak "no server $i" }
sub ip { my ($self, $i) = @_; $self->env("LAB_IP_$i") // croak "no server $i" }
sub servers { my $self = shift; return (1 .. ($self->env('LAB_N') || 0)) }

# Where server $i keeps ~$user/.x2go (autologin keys, pgsqlpass), seen
# from the test process.
sub x2go_dir
{
    my ($self, $i, $user) = @_;
    return $self->env("LAB_DIR_$i") . "/x2go/$user";
}

sub session
{
    my ($self, $i, $user, $display, $status) = @_;
    $self->_need_up;
    my $sid = $self->_lab('session', $i, $user, $display, $status || 'R');
    chomp $sid;
    return $sid;
}

sub status
{
    my ($self, $sid) = @_;
    $self->_need_up;
    my ($out, $err, $rc) = $self->_run(60, $LABSH, 'status', $sid);
    return undef if $rc != 0;
    chomp $out;
    return $out;
}

# Facts about a session made by session(): SERVER USER DISPLAY PID DIR
# COOKIE GR_PORT, and its fake agent's STATE, HUPS (SIGHUPs received) and
# ALIVE (1/0).
sub info
{
    my ($self, $sid) = @_;
    $self->_need_up;
    my %h = $self->_lab('info', $sid) =~ /^(\w+)=(.*)$/mg;
    return \%h;
}

sub reset { my $self = shift; $self->_need_up; $self->_lab('reset'); return 1 }

sub exec
{
    my ($self, $i, @cmd) = @_;
    $self->_need_up;
    return $self->_run(120, $LABSH, 'exec', $i, @cmd);
}

sub ssh
{
    my ($self, $i, $cmd) = @_;
    $self->_need_up;
    return $self->_run(120, $LABSH, 'ssh', $i, $cmd);
}

# The agent over SSH, with the remote command the Python broker sends.
sub agent
{
    my ($self, $i, $user, $task, @args) = @_;
    my $cmd = join ' ', $AGENT_PATH, $user, $task, map { qq{"$_"} } @args;
    return $self->ssh($i, "sh -c '$cmd'");
}

sub link
{
    my ($self, $i, $state) = @_;
    $self->_need_up;
    $self->_lab('link', $i, $state);
    return 1;
}

sub rekey { my ($self, $i) = @_; $self->_need_up; $self->_lab('rekey', $i); return 1 }

# on/off: whether server $i accepts the broker's keys (its port stays open)
sub agentkey
{
    my ($self, $i, $state) = @_;
    $self->_need_up;
    $self->_lab('agentkey', $i, $state);
    return 1;
}

# A session profile file: the farm of all servers, plus one profile per
# server (srvN) unless servers => 0, with the servers' real names mapped to
# their addresses.  Every profile costs the reference broker an agent round
# trip per listsessions.
sub profiles_text
{
    my ($self, %opt) = @_;
    my @hosts = map { $self->name($_) . ' (' . $self->ip($_) . ')' } $self->servers;
    my $t = "[DEFAULT]\ncommand=TERMINAL\nsshport=22\nuser=BROKER_USER\nrootless=true\n\n"
        . "[farm]\nname=Lab farm\nhost=" . join(',', @hosts) . "\n\n";
    for my $i ($opt{servers} // 1 ? $self->servers : ()) {
        $t .= "[srv$i]\nname=Lab server $i\nhost=$hosts[$i - 1]\n\n";
    }
    return $t;
}

# The Python reference broker on 127.0.0.1, querying the lab's agents over
# SSH like a production broker (RejectPolicy against the lab's known_hosts,
# port scan on, auth mech none).  Returns an X2GoLab::RefBroker (an
# X2GoReference that is up and answering); stopped by down().
sub reference_broker
{
    my ($self, %a) = @_;
    $self->_need_up;
    croak 'the reference broker is not installed' unless X2GoReference::available();
    my $n = ++$self->{nbrokers};
    my $pf = "$self->{w}/brokers/profiles-$n.conf";
    open my $fh, '>', $pf or croak "write $pf: $!";
    print $fh $a{profiles} // $self->profiles_text;
    close $fh;
    chmod 0644, $pf;
    my %global = (
        'default-agent-query-mode'     => 'SSH',
        'default-agent-hostkey-policy' => 'RejectPolicy',
        'default-portscan-x2goservers' => 'true',
        'default-auth-mech'            => 'none',
        %{ $a{global} || {} },
    );
    my $b = X2GoLab::RefBroker->new(profiles => $pf, global => \%global,
                                    sections => $a{sections}, name => "labref$n");
    $b->{lab} = $self;
    $b->start;
    push @{ $self->{brokers} }, $b;
    $b->wait_ready(30) or croak 'reference broker did not start: ' . $b->error;
    return $b;
}

# The prefix of a command that runs as root in a private mount namespace
# where each [from, to] of @binds is bind-mounted, and host names resolve
# from /etc/hosts only, so that no DNS query leaves the machine.  The
# command may daemonize (httpd -k start): the namespace lives as long as
# its processes.
sub _ns_cmd
{
    my ($self, @binds) = @_;
    my $dir = "$self->{w}/nss";
    unless (-d $dir) {
        mkdir $dir or croak "mkdir $dir: $!";
        chmod 0755, $dir;
        open my $in, '<', '/etc/nsswitch.conf' or croak "read /etc/nsswitch.conf: $!";
        my $nss = do { local $/; <$in> };
        close $in;
        $nss =~ s/^hosts:.*$/hosts: files/m or $nss .= "hosts: files\n";
        X2GoReference::_write_file("$dir/nsswitch.conf", $nss);
        X2GoReference::_write_file("$dir/resolv.conf", "nameserver 127.0.0.1\n");
    }
    push @binds, ["$dir/nsswitch.conf", '/etc/nsswitch.conf'];
    push @binds, ["$dir/resolv.conf", '/etc/resolv.conf'] if -f '/etc/resolv.conf';
    my $setup = 'while [ $# -gt 0 ] && [ "$1" != -- ]; do'
        . ' mount --bind "$1" "$2" || exit 1; shift 2; done; shift; exec "$@"';
    return ('/usr/bin/unshare', '--mount', '--propagation', 'private', '--',
            '/bin/sh', '-c', $setup, 'sh', (map { @$_ } @binds), '--');
}

# The prefix of a command that runs on the "broker host": as root, with
# $home mounted over the x2gobroker account's home.
sub broker_host_cmd
{
    my ($self, $home) = @_;
    my $realhome = (getpwnam('x2gobroker'))[7] or croak 'no user x2gobroker';
    return $self->_ns_cmd([$home, $realhome]);
}

# The prefix of a command that runs as $user on a client machine of the
# lab: $home (the client's home directory, made here if missing, with the
# lab's known_hosts) mounted over the user's passwd home, since x2goclient
# reads ~/.ssh from there and not from $HOME; the servers' names resolve
# (the lab's hosts file, as a site's DNS would); temporary files in
# $home/tmp (also XDG_RUNTIME_DIR); a clean environment with %env added
# (e.g. DISPLAY).
sub client_cmd
{
    my ($self, $user, $home, %env) = @_;
    my (undef, undef, $uid, $gid, undef, undef, undef, $realhome) = getpwnam($user)
        or croak "no user $user";
    unless (-d $home) {
        mkdir $home or croak "mkdir $home: $!";
        mkdir "$home/$_" or croak "mkdir $home/$_: $!" for qw(.ssh tmp);
        File::Copy::copy($self->env('LAB_CLIENT_KNOWN_HOSTS'), "$home/.ssh/known_hosts")
            or croak "copy known_hosts: $!";
        chown $uid, $gid, $home, "$home/.ssh", "$home/tmp", "$home/.ssh/known_hosts";
        chmod 0755, $home;
        chmod 0700, "$home/.ssh", "$home/tmp";
    }
    my %e = (HOME => $realhome, USER => $user, LOGNAME => $user, SHELL => '/bin/bash',
             LANG => 'C.UTF-8', PATH => $SAFE_PATH, TMPDIR => "$realhome/tmp",
             XDG_RUNTIME_DIR => "$realhome/tmp", %env);
    return ($self->_ns_cmd([$home, $realhome], [$self->env('LAB_CLIENT_HOSTS'), '/etc/hosts']),
            '/usr/bin/setpriv', "--reuid=$uid", "--regid=$gid", '--init-groups', '--',
            '/usr/bin/env', '-i', map({ "$_=$e{$_}" } sort keys %e));
}

# This module's broker (httpd + mod_x2gobroker) on 127.0.0.1 against the
# lab's agents over SSH: the lab's ed25519 key read by httpd at start-up,
# the lab's known_hosts, auth mech none, mod_slotmem_shm for the server
# table.  %a: profiles (text; default the farm without srvN), conf (more
# directives inside the <Location>), mpm (default event), server_conf
# (directives at server level).  Returns an X2GoLab::ModBroker that
# answers; stopped by down() (lab.sh down too, through brokers/*.pid).
sub module_broker
{
    my ($self, %a) = @_;
    $self->_need_up;
    my $n = ++$self->{nbrokers};
    my $b = X2GoLab::ModBroker->new(lab => $self, n => $n, %a);
    push @{ $self->{brokers} }, $b;
    $b->start;
    return $b;
}

package X2GoLab::ModBroker;

use strict;
use warnings;

use Carp qw(croak);
use File::Copy qw(copy);
use HTTP::Tiny;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);

sub new
{
    my ($class, %a) = @_;
    my $lab = $a{lab};
    my $build = $ENV{X2GOB_LAB_BUILD} // Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../..');
    my $so = "$build/.libs/mod_x2gobroker.so";
    croak "build the module first ($so)" unless -f $so;
    my $sr = "$lab->{w}/modbroker$a{n}";
    for my $d ($sr, "$sr/logs", "$sr/run") {
        mkdir $d or croak "mkdir $d: $!";
        chmod 0755, $d;
    }
    my $port = do {
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => 0) or croak "port: $!";
        $s->sockport;
    };
    # known_hosts is public: the children (www-data) read it per connect
    copy($lab->env('LAB_KNOWN_HOSTS'), "$sr/known_hosts") or croak "copy: $!";
    chmod 0644, "$sr/known_hosts";
    X2GoReference::_write_file("$sr/profiles.conf",
                               $a{profiles} // $lab->profiles_text(servers => 0));
    chmod 0644, "$sr/profiles.conf";
    my $lib = qx(apxs -q LIBEXECDIR); chomp $lib;
    my $mpm = $a{mpm} || 'event';
    my $key = $lab->env('LAB_BROKER_KEY');
    X2GoReference::_write_file("$sr/httpd.conf", <<"CONF");
ServerRoot $sr
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error_log
LogLevel info
User www-data
Group www-data
KeepAlive Off
LoadModule mpm_${mpm}_module $lib/mod_mpm_$mpm.so
LoadModule authz_core_module $lib/mod_authz_core.so
LoadModule socache_shmcb_module $lib/mod_socache_shmcb.so
LoadModule slotmem_shm_module $lib/mod_slotmem_shm.so
LoadModule x2gobroker_module $so
@{[ $a{server_conf} // '' ]}
<Location /x2gobroker>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $sr/profiles.conf
    X2GoBrokerDefaultAuthMech none
    X2GoBrokerDefaultAgentQueryMode SSH
    X2GoBrokerSSHKeyFile $key
    X2GoBrokerSSHKnownHostsFile $sr/known_hosts
    X2GoBrokerAgentTimeout 5
@{[ $a{conf} // '' ]}
    Require all granted
</Location>
CONF
    return bless { lab => $lab, root => $sr, port => $port, name => "modbroker$a{n}" }, $class;
}

sub root { $_[0]{root} }
sub url  { "http://127.0.0.1:$_[0]{port}/x2gobroker" }

# Runs httpd -k start on the broker host; dies unless it answers.
sub start
{
    my $self = shift;
    my $sr = $self->{root};
    my @cmd = ($self->{lab}->broker_host_cmd("$sr/home"), '/usr/sbin/apache2',
               '-d', $sr, '-f', "$sr/httpd.conf", '-k', 'start');
    mkdir "$sr/home";
    my ($out, $err, $rc) = $self->{lab}->_run(60, @cmd);
    croak "httpd did not start ($rc): $out$err" . $self->error_log if $rc != 0;
    my $deadline = time + 15;
    while (time < $deadline) {
        my $pid = $self->pid;
        if ($pid && IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                          PeerPort => $self->{port},
                                          Timeout => 1)) {
            X2GoReference::_write_file("$self->{lab}{w}/brokers/$self->{name}.pid",
                                       "$pid\n");
            return $self;
        }
        sleep 0.1;
    }
    croak 'httpd never answered: ' . $self->error_log;
}

sub pid
{
    my $self = shift;
    open my $fh, '<', "$self->{root}/run/httpd.pid" or return;
    my ($pid) = (<$fh> // '') =~ /^(\d+)/;
    return $pid;
}

sub error_log
{
    my $self = shift;
    open my $fh, '<', "$self->{root}/logs/error_log" or return '';
    local $/;
    return scalar <$fh> // '';
}

# httpd's children (pids), from /proc.
sub children
{
    my $self = shift;
    my $ppid = $self->pid or return ();
    my @kids;
    for my $st (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $st or next;
        my $line = <$fh> // next;
        my ($pid, $pp) = $line =~ /^(\d+) \(.*\) \S (\d+)/ or next;
        push @kids, $pid if $pp == $ppid;
    }
    return @kids;
}

sub graceful
{
    my $self = shift;
    my $pid = $self->pid or croak 'not running';
    kill 'USR1', $pid;
}

sub stop
{
    my $self = shift;
    my $pid = $self->pid or return 1;
    kill 'TERM', $pid;
    for (1 .. 100) { last unless kill 0, $pid; sleep 0.1 }
    kill 'KILL', $pid if kill 0, $pid;
    unlink "$self->{root}/run/httpd.pid";
    return 1;
}

# POST a form to plain/; returns (HTTP status, body, seconds).
sub post { my $self = shift; return $self->post_to('plain', @_) }

# The same to another frontend (json).
sub post_to
{
    my ($self, $frontend, @form) = @_;
    my $http = HTTP::Tiny->new(timeout => 60);
    my $t0 = time;
    my $res = $http->post_form($self->url . "/$frontend/", [@form]);
    return ($res->{status}, $res->{content} // '', time - $t0);
}

package X2GoLab::RefBroker;

# An X2GoReference run the way the lab needs: in a private mount namespace
# where a scratch home (the lab's ecdsa key as ~/.ssh/id_ecdsa, the lab's
# known_hosts) is mounted over the x2gobroker account's home and host names
# resolve from /etc/hosts only, so no DNS query leaves the machine.

use strict;
use warnings;

use Carp qw(croak);
use File::Copy qw(copy);
use HTTP::Tiny;
use POSIX ();

our @ISA = ('X2GoReference');

my $BROKER_USER = 'x2gobroker';

sub _install
{
    my ($from, $to, $mode, $uid, $gid) = @_;
    copy($from, $to) or croak "copy $from: $!";
    chmod $mode, $to;
    chown $uid, $gid, $to;
}

# The broker account's scratch home and name-service files.
sub _prepare_lab
{
    my $self = shift;
    my $lab = $self->{lab};
    my $dir = $self->{dir};
    my (undef, undef, $uid, $gid) = getpwnam($BROKER_USER)
        or croak "no user $BROKER_USER";
    my $home = "$dir/home";
    for my $d ($home, "$home/.ssh") {
        mkdir $d or croak "mkdir $d: $!";
        chown $uid, $gid, $d;
    }
    chmod 0755, $home;
    chmod 0700, "$home/.ssh";
    my $key = $lab->env('LAB_BROKER_ECDSA_KEY');
    _install($key, "$home/.ssh/id_ecdsa", 0600, $uid, $gid);
    _install("$key.pub", "$home/.ssh/id_ecdsa.pub", 0644, $uid, $gid);
    _install($lab->env('LAB_KNOWN_HOSTS'), "$home/.ssh/known_hosts", 0644, $uid, $gid);
    return $home;
}

sub start
{
    my $self = shift;
    croak 'already started' if $self->{pid};
    {
        local $ENV{X2GOB_REF_USER} = $BROKER_USER;
        $self->_prepare unless $self->{dir};
    }
    croak "the reference broker must run as $BROKER_USER"
        unless ($self->{user} // '') eq $BROKER_USER;
    my $home = $self->_prepare_lab;
    $self->{port} ||= X2GoReference::free_port();
    my $dir = $self->{dir};
    # unshare, sh and setpriv all exec: the child's PID is the broker's
    my @cmd = ($self->{lab}->broker_host_cmd($home),
               '/usr/bin/setpriv', "--reuid=$BROKER_USER", "--regid=$BROKER_USER",
               '--init-groups', '--pdeathsig', 'TERM', '--',
               $X2GoReference::BROKER, '-M', 'HTTP', '-C', "$dir/x2gobroker.conf",
               '-b', "127.0.0.1:$self->{port}");
    $self->_spawn(@cmd);
    my $pid = $self->{pid};
    # lab.sh down stops it even if this test process is gone
    X2GoReference::_write_file("$self->{lab}{w}/brokers/$self->{name}.pid",
                               "$pid\n");
    return $self;
}

# POST a form to /plain/<backend>/; returns (HTTP status, body).
sub post
{
    my ($self, @form) = @_;
    my $backend = 'inifile';
    my $http = HTTP::Tiny->new(timeout => 60);
    my $res = $http->post_form($self->url . "/plain/$backend/", [@form]);
    return ($res->{status}, $res->{content} // '');
}

1;
