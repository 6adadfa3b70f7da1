# agent.t - the C x2gobroker-agent as the setuid program it is: hostile
# input in every place a broker (or whoever holds its key) controls, and
# the tasks that touch a user's files.  Nothing may change outside the
# target user's own files: /etc/passwd, shadow, group and sudoers keep
# their checksums and no marker file ever appears.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Digest::SHA ();
use File::Path qw(remove_tree);
use X2GoBTest;
use X2GoBTest::Agent;

my $USER = 'x2gotest';
my $AGENT = '/usr/lib/x2go/x2gobroker-agent';
plan tests => 255, need
    { 'root, x2gobroker account, built agent' => sub {
        $> == 0 && have_env() && $ENV{X2GOB_TEST_AGENT}
            && -x ($ENV{X2GOB_TEST_AGENT} // '') && getgrnam('x2gobroker')
            && getpwnam($USER) } };

my $a = X2GoBTest::Agent->new;
my $home = (getpwnam($USER))[7];
my @uinfo = getpwnam($USER);
my $MARK = scratch() . '/agent/MARKER';
my @SYSFILES = qw(/etc/passwd /etc/shadow /etc/group /etc/gshadow
                  /etc/sudoers);

sub sums { return join ' ', map { -f $_ ? Digest::SHA->new(256)
                                           ->addfile($_)->hexdigest : '-' }
           @SYSFILES }
my $before = sums();

my $ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/gQhDt+QLYZMq79emUyi'
       . '7jIHnbnwL5ilrPPE';
my $KEY = "no-X11-forwarding,no-pty,no-user-rc $ED $USER\@192.0.2.7";

# Every refusal: its exit status, nothing on stdout, one reason on stderr.
sub refused {
    my ($r, $rc, $why, $name) = @_;
    is($r->{rc}, $rc, "$name: exit $rc");
    is($r->{out}, '', "$name: nothing on stdout, never OK");
    like($r->{err}, qr/\Ax2gobroker-agent: .*\Q$why\E.*\n\z/,
         "$name: says why");
}

# --- what brokers send works ------------------------------------------
my $r = $a->ssh("sh -c '$AGENT $USER ping'");
is_deeply([$r->{rc}, $r->{out}, $r->{err}], [0, "OK\n", ''], 'ping over SSH');
$r = $a->local('foo', 'ping');
is_deeply([$r->{rc}, $r->{out}, $r->{err}], [0, "OK\n", ''],
          'ping LOCAL, any well-formed user name');
$r = $a->ssh("sh -c '$AGENT foo availabletasks'");
is($r->{out}, join("\n", 'OK', qw(availabletasks addauthkey delauthkey
    listsessions findbusyservers findbusyservers_by_sessionstats checkload
    getservers suspendsession terminatesession)) . "\n",
   'availabletasks: all tasks with x2goserver installed');
is($r->{err}, '', 'availabletasks: silent on stderr');
$r = $a->ssh("sh -c '$AGENT foo checkload'");
like($r->{out}, qr/\AOK\nloadavgXX:\d+\nmemAvail:\d+\nmyMemAvail:\d+\n
                   numCPU:[1-9]\d*\ntypeCPU:[1-9]\d*\n\z/x,
     'checkload: five figures, CPUs counted on this machine');

# --- a host without x2goserver: only the key tasks, silently ------------
$a->without_x2goserver(1);
$r = $a->ssh("sh -c '$AGENT foo availabletasks'");
is_deeply([$r->{rc}, $r->{out}, $r->{err}],
          [0, "OK\navailabletasks\naddauthkey\ndelauthkey\n", ''],
          'no x2goserver: availabletasks lists the key tasks, nothing on stderr');
refused($a->ssh("sh -c '$AGENT foo checkload'"), 4,
        'checkload: x2goserver is not installed on this host',
        'no x2goserver: checkload');
refused($a->local($USER, 'listsessions'), 4,
        'listsessions: x2goserver is not installed on this host',
        'no x2goserver: listsessions');
$a->without_x2goserver(0);

# --- hostile SSH_ORIGINAL_COMMAND -------------------------------------
my $interp = 'character a shell would interpret';
my @hostile = (
    ["sh -c '$AGENT $USER ping; touch $MARK'", $interp, 'second command'],
    ["sh -c '$AGENT $USER ping && touch $MARK'", $interp, '&&'],
    ["sh -c '$AGENT $USER ping || touch $MARK'", $interp, '||'],
    ["sh -c '$AGENT $USER ping | tee $MARK'", $interp, 'pipe'],
    ["sh -c '$AGENT $USER ping \$(touch $MARK)'", $interp, '$()'],
    ["sh -c '$AGENT $USER ping `touch $MARK`'", $interp, 'backticks'],
    ["sh -c '$AGENT $USER ping > $MARK'", $interp, 'redirection'],
    ["sh -c '$AGENT $USER ping'; touch $MARK", 'closing quote',
     'command after the quoted script'],
    ["$AGENT $USER ping\ntouch $MARK", $interp, 'newline'],
    ["sh -c 'touch $MARK'", 'does not run this agent', 'another program'],
    ["touch $MARK", 'does not run this agent', 'bare other program'],
    ["sh -c '/tmp/x2go/x2gobroker-agent $USER ping'",
     'does not run this agent', 'agent at another path'],
    ["sh -c '$AGENT $USER\$(touch $MARK) ping'", $interp,
     'user name with $()'],
    ["sh -c '$AGENT $USER ping\$(touch $MARK)'", $interp, 'task with $()'],
    ["sh -c '$AGENT $USER suspendsession \"\$(touch $MARK)\"'", $interp,
     'session id with $()'],
    ["sh -c '$AGENT $USER suspendsession \"`touch $MARK`\"'", $interp,
     'session id with backticks'],
    ["sh -c '$AGENT $USER addauthkey \"$KEY\" \"%h/x\$(touch $MARK)\"'",
     $interp, 'template with $()'],
    ["sh -c '$AGENT $USER addauthkey \"$KEY\\\"; touch $MARK; \\\"\" "
     . "\"%h/.x2go/authorized_keys\"'", $interp, 'key with a quote'],
    ["sh -c '$AGENT $USER ping \"" . ('A' x 40000) . "\"'",
     'too long', 'oversized command'],
);
for my $h (@hostile) {
    my ($cmd, $why, $name) = @$h;
    refused($a->ssh($cmd), 1, $why, $name);
}
ok(!-e $MARK, 'no marker file after hostile commands');

# --- users ----------------------------------------------------------------
refused($a->ssh("sh -c '$AGENT root listsessions'"), 2,
        'operation on system user: root (with UID number: 0)', 'root');
refused($a->local('daemon', 'listsessions'), 2, 'system user: daemon',
        'daemon');
refused($a->local('nosuchuser9', 'getservers'), 2,
        'no such user on system: nosuchuser9', 'unknown user');
refused($a->local("$USER;id", 'ping'), 2, 'invalid user name',
        'LOCAL user with ;');

# --- arguments --------------------------------------------------------
refused($a->local($USER, 'suspendsession', "$USER-51-1795641177_x;id_dp24"),
        3, "not a session id of user $USER", 'bad session id');
refused($a->local($USER, 'suspendsession',
                  'x2gbalice-51-1795641177_stDxterm_dp24'),
        3, "not a session id of user $USER", "another user's session id");
refused($a->local($USER, 'suspendsession'), 3,
        'suspendsession takes 1 argument(s), got 0', 'missing argument');
refused($a->local($USER, 'addauthkey', "$KEY\nssh-ed25519 AAAA x",
                  '%h/.x2go/authorized_keys'), 3,
        'argument 1 has characters no broker sends', 'key with a second line');
refused($a->local($USER, 'addauthkey', "command=\"touch $MARK\" $ED k",
                  '%h/.x2go/authorized_keys'), 3,
        'argument 1 has characters no broker sends',
        'key with a forced command');
refused($a->local($USER, 'addauthkey', "pty,agent-forwarding $ED k",
                  '%h/.x2go/authorized_keys'), 3,
        'options other than restrictions', 'key that grants more');
refused($a->local($USER, 'addauthkey', 'ssh-ed25519 AAAA', 
                  '%h/.x2go/authorized_keys'), 3,
        'key data does not match its key type', 'broken key');
for my $t ('/etc/shadow', '%h/../../etc/passwd', '../../../etc/sudoers',
           "/home/../etc/group") {
    refused($a->local($USER, 'addauthkey', $KEY, $t), 3,
            'refused authorized_keys file', "template $t");
}
refused($a->local($USER, 'addauthkey', $KEY, 'A' x 20000), 3,
        'argument 2 has characters no broker sends', 'oversized template');
refused($a->local($USER, 'rm', '-rf'), 4, 'unknown task', 'unknown task');

# --- authorized_keys: symlinks are refused, files are the user's --------
my $x2go = "$home/.x2go";
remove_tree($x2go);
mkdir $x2go, 0700;
chown $uinfo[2], $uinfo[3], $x2go;
symlink '/etc/shadow', "$x2go/authorized_keys";
refused($a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys'), 5,
        "refused: authorized_keys is a symlink", 'symlinked file');
unlink "$x2go/authorized_keys";
rmdir $x2go;
symlink '/etc', $x2go;
refused($a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys'), 5,
        'refused: .x2go is a symlink or not a directory', 'symlinked dir');
ok(!-e '/etc/authorized_keys', 'nothing written through it');
unlink $x2go;

# The line written: the agent's own expiry-time (UTC, at least key-expiry
# = 600 s ahead, rounded up to the minute), the broker's restrictions,
# the key, its comment.
my $OTHER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTHER other';
sub expiry_of {
    my ($text) = @_;
    my ($y, $mo, $d, $h, $mi) = ($text // '') =~ /^expiry-time="(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)Z",/m
        or return undef;
    require Time::Local;
    return Time::Local::timegm(0, $mi, $h, $d, $mo - 1, $y);
}
# a file of the user's own, as sshd and the agent expect it
sub spew_user {
    my ($f, $text) = @_;
    spew($f, $text);
    chown $uinfo[2], $uinfo[3], $f;
    chmod 0600, $f;
}
my $LINE = qr/expiry-time="\d{12}Z",\Q$KEY\E/;
my $t0 = time;
$r = $a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
is_deeply([$r->{rc}, $r->{out}, $r->{err}], [0, "OK\n", ''], 'addauthkey');
my @st = stat "$x2go/authorized_keys";
is_deeply([$st[4], $st[2] & 07777], [$uinfo[2], 0600],
          'file created by the user, mode 0600');
like(slurp("$x2go/authorized_keys"), qr/\A$LINE\n\z/,
     'the key line, once, with an expiry-time first');
my $exp = expiry_of(slurp("$x2go/authorized_keys"));
ok(defined $exp && $exp >= $t0 + 600 && $exp <= time + 660,
   'expiry-time: 600 s ahead, rounded up to the minute ('
   . ($exp // 'none') . ' vs ' . $t0 . ')');
like($r->{log},
     qr/caller=x2gobroker from=local user=\Q$USER\E task=addauthkey outcome=ok/,
     'logged to syslog');
$r = $a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
like(slurp("$x2go/authorized_keys"), qr/\A$LINE\n\z/, 'added twice: still once');
# a key already in the file (upstream looked at the end only) is
# replaced by the new line, with its new expiry; other lines are kept
spew_user("$x2go/authorized_keys", "$ED old-comment\n$OTHER");
$a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
like(slurp("$x2go/authorized_keys"), qr/\A\Q$OTHER\E\n$LINE\n\z/,
     'a key already present mid-file (other options) is replaced, not doubled');
$r = $a->ssh("sh -c '$AGENT $USER delauthkey \"$KEY\" "
             . "\"%h/.x2go/authorized_keys\"'");
is_deeply([$r->{rc}, $r->{out}], [0, "OK\n"], 'delauthkey over SSH');
is(slurp("$x2go/authorized_keys"), "$OTHER\n",
   'the key (written with an expiry-time) is gone, the other line stays');
@st = stat "$x2go/authorized_keys";
is_deeply([$st[4], $st[2] & 07777], [$uinfo[2], 0600],
          'owner and mode kept');
like($r->{log},
     qr/claimed-from=192\.0\.2\.9 user=\Q$USER\E task=delauthkey outcome=ok/,
     'logged with the address SSH_CONNECTION claims, as a claim');
# delauthkey finds the key whatever options or comment its line has
spew_user("$x2go/authorized_keys", "no-pty $ED someone\n$OTHER\n$ED\n");
$r = $a->local($USER, 'delauthkey', "$ED k", '%h/.x2go/authorized_keys');
is_deeply([$r->{rc}, $r->{out}, slurp("$x2go/authorized_keys")],
          [0, "OK\n", "$OTHER\n"],
          'delauthkey: lines of the key with and without options are gone');
remove_tree($x2go);
$r = $a->local($USER, 'delauthkey', $KEY, '%h/.x2go/authorized_keys');
is_deeply([$r->{rc}, $r->{out}], [0, "OK\n"],
          'delauthkey where there is no file: nothing to do');
ok(!-e $x2go, 'and nothing created');

# ~/.ssh/authorized_keys is the other file a key may go to
my $ssh_keys = "$home/.ssh/authorized_keys";
my $had = -e $ssh_keys ? slurp($ssh_keys) : undef;
$r = $a->local($USER, 'addauthkey', $KEY, '%h/.ssh/authorized_keys');
is($r->{rc}, 0, 'addauthkey to ~/.ssh/authorized_keys: allowed');
like(slurp($ssh_keys), $LINE, 'and written there');
$r = $a->local($USER, 'delauthkey', $KEY, '%h/.ssh/authorized_keys');
unlike(slurp($ssh_keys), qr/\Q$ED\E/, 'delauthkey takes it away again');
if (defined $had) { spew_user($ssh_keys, $had) }

# only those two files
for my $t ('%h/.bashrc', '%h/.profile', '%h/.ssh/authorized_keys2',
           '%h/.x2go/other', '%h/.ssh/rc', '.x2go/../.bashrc') {
    refused($a->local($USER, 'addauthkey', $KEY, $t), 3,
            'refused authorized_keys file', "template $t");
}
refused($a->local($USER, 'delauthkey', $KEY, '%h/.bashrc'), 3,
        'only ~/.x2go/authorized_keys and ~/.ssh/authorized_keys',
        'delauthkey on another file');
ok(!-e "$home/.x2go/other", 'no other file was written');

# comments: letters, digits and @._:+=- only
for my $c ('x;touch /tmp/p', 'a|b', 'a&b', 'a(b)', 'a/b') {
    refused($a->local($USER, 'addauthkey', "$ED $c", '%h/.x2go/authorized_keys'),
            3, 'the comment may hold only', "comment '$c'");
}
ok(!-e $MARK, 'no marker file after hostile comments');
remove_tree($x2go);

# --- the agent's policy (/etc/x2go/x2gobroker-agent.conf) -----------------
my $SUDO = 'xgbsudo';           # member of group sudo (t/run-suite)
my $SID = "$USER-51-1795641177_stDxterm_dp24";
my $SUDO_SID = "$SUDO-51-1795641177_stDxterm_dp24";
my $POLICY = qr/refused by the agent policy: /;
sub policy_refused {
    my ($r, $why, $name) = @_;
    refused($r, 2, "refused by the agent policy: $why", $name);
    like($r->{log}, qr/outcome=refused: refused by the agent policy: \Q$why\E/,
         "$name: the syslog line says why");
}
# no policy file: the defaults, deny-groups with sudo among them
my $sudo_x2go = (getpwnam($SUDO))[7] . '/.x2go';
remove_tree($sudo_x2go);
$a->policy(undef);
my $why = "account $SUDO is a member of group sudo (deny-groups)";
policy_refused($a->local($SUDO, 'addauthkey', "$ED k", '%h/.x2go/authorized_keys'),
               $why, 'no policy file: addauthkey for a sudo member');
ok(!-e $sudo_x2go, 'nothing written for the sudo member');
policy_refused($a->local($SUDO, 'suspendsession', $SUDO_SID), $why,
               'suspendsession of a sudo member');
policy_refused($a->ssh("sh -c '$AGENT $SUDO terminatesession \"$SUDO_SID\"'"),
               $why, 'terminatesession of a sudo member, over SSH');
$r = $a->local($SUDO, 'delauthkey', "$ED k", '%h/.x2go/authorized_keys');
is_deeply([$r->{rc}, $r->{out}], [0, "OK\n"], 'delauthkey for a sudo member: allowed');
$r = $a->local($SUDO, 'listsessions');
is($r->{rc}, 0, 'listsessions (read-only) for a sudo member: today\'s rule');
policy_refused($a->local('root', 'addauthkey', "$ED k", '%h/.x2go/authorized_keys'),
               'account root (UID 0) is outside min-uid 1000 ... max-uid 60000',
               'addauthkey for root');

# a site that lets its sudo users use autologin on purpose
$a->policy("# sudo users may use broker autologin\ndeny-groups = root adm\n");
$r = $a->local($SUDO, 'addauthkey', "$ED k", '%h/.x2go/authorized_keys');
is_deeply([$r->{rc}, $r->{out}], [0, "OK\n"], 'deny-groups without sudo: addauthkey for the sudo member');
$r = $a->local($SUDO, 'delauthkey', "$ED k", '%h/.x2go/authorized_keys');
is($r->{rc}, 0, 'and delauthkey');
remove_tree($sudo_x2go);

# allow-groups: only members
$a->policy("allow-groups = $SUDO\ndeny-groups =\n");
$r = $a->local($SUDO, 'addauthkey', "$ED k", '%h/.x2go/authorized_keys');
is($r->{rc}, 0, 'allow-groups: a member is served');
$a->local($SUDO, 'delauthkey', "$ED k", '%h/.x2go/authorized_keys');
policy_refused($a->local($USER, 'addauthkey', "$ED k", '%h/.x2go/authorized_keys'),
               "account $USER is in none of the allow-groups",
               'allow-groups: a non-member');
policy_refused($a->local($USER, 'suspendsession', $SID),
               "account $USER is in none of the allow-groups",
               'allow-groups: suspendsession of a non-member');

# uid bounds, which delauthkey honours too
my $u1 = $uinfo[2] + 1;
$a->policy("min-uid = $u1\n");
$why = "account $USER (UID $uinfo[2]) is outside min-uid $u1 ... max-uid 60000";
policy_refused($a->local($USER, 'addauthkey', "$ED k", '%h/.x2go/authorized_keys'),
               $why, 'min-uid above the user');
policy_refused($a->local($USER, 'delauthkey', "$ED k", '%h/.x2go/authorized_keys'),
               $why, 'min-uid above the user: delauthkey too');
$a->policy("max-uid = " . ($uinfo[2] - 1) . "\n");
policy_refused($a->local($USER, 'terminatesession', $SID),
               "account $USER (UID $uinfo[2]) is outside min-uid 1000 ... max-uid "
               . ($uinfo[2] - 1), 'max-uid below the user');

# key-expiry
$a->policy("key-expiry = 3600\n");
$t0 = time;
$a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
$exp = expiry_of(slurp("$x2go/authorized_keys"));
ok(defined $exp && $exp >= $t0 + 3600 && $exp <= time + 3660,
   'key-expiry = 3600: the key expires an hour ahead');
remove_tree($x2go);

# a policy file root alone could not have written, or cannot be read:
# every task is refused, ping included
for my $bad (['wrong owner', "deny-groups =\n", uid => $uinfo[2]],
             ['group-writable', "deny-groups =\n", mode => 0664],
             ['world-writable', "deny-groups =\n", mode => 0646],
             ['a symlink', "deny-groups =\n", symlink => 1]) {
    my ($name, $text, %o) = @$bad;
    $a->policy($text, %o);
    $r = $a->local($USER, 'ping');
    is_deeply([$r->{rc}, $r->{out}], [6, ''], "policy file $name: ping refused, exit 6");
    like($r->{err}, qr/agent policy unusable, every task refused: .*x2gobroker-agent\.conf/,
         "policy file $name: says why");
    like($r->{log}, qr/outcome=refused: ping: agent policy unusable|outcome=refused: agent policy unusable/,
         "policy file $name: syslog line");
}
$a->policy("deny-groups = root\nmin-uid 500\n");
$r = $a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
is($r->{rc}, 6, 'a policy file with a syntax error: addauthkey refused');
like($r->{err}, qr/x2gobroker-agent\.conf: line 2: not "key = value"/,
     'and the line is named');
ok(!-e $x2go, 'nothing written');
$a->policy(undef);

# --- what the caller leaves behind does not reach the agent ---------------
# x2goterminate-session replaced (in the agent's mount namespace) by a
# script that reports the signal state and limits it runs with
my $report = scratch() . '/agent/inherited';
spew($report, '');
chmod 0666, $report;
my $probe = scratch() . '/agent/probe';
# (the shell's own status, read with builtins: what the agent's child
# exec'd, with no other process in between)
spew($probe, "#!/bin/sh\nwhile read -r k v; do case \$k in SigIgn:|SigBlk:) "
           . "echo \"\$k \$v\";; esac; done < /proc/\$\$/status > $report\n"
           . "echo core=\$(ulimit -c) fsize=\$(ulimit -f) nofile=\$(ulimit -n) >> $report\n");
chmod 0755, $probe;
$a->over('/usr/bin/x2goterminate-session', $probe);
$a->caller_prefix('prlimit', '--core=unlimited', '--fsize=1:unlimited',
    '--nofile=8:4096', '--',
    'perl', '-MPOSIX', '-e',
    '$SIG{$_} = "IGNORE" for qw(ALRM TERM HUP INT CHLD XFSZ PIPE);'
    . ' sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGALRM, SIGTERM, SIGCHLD));'
    . ' exec @ARGV or die', '--');
$r = $a->local($USER, 'terminatesession', $SID);
is($r->{rc}, 0, 'terminatesession with signals ignored and blocked, soft limits squeezed');
my $inh = slurp($report);
# Signals 32 and 33 are the C library's own (thread cancellation and
# set*id across threads): sigaction() refuses them, glibc installs its
# handlers for them when it needs them, and make(1) hands them on
# ignored.  Every other signal must be back at its default.
my ($ign) = $inh =~ /^SigIgn:\s*([0-9a-f]+)$/m;
is(defined $ign ? do { no warnings 'portable'; sprintf('%x', hex($ign) & ~(3 << 31)) } : 'none', '0',
   'no signal ignored by the caller stays ignored (but the two glibc keeps)')
    or diag "the probe saw:\n$inh";
like($inh, qr/^SigBlk:\s*0+$/m, 'no signal blocked by the caller stays blocked');
like($inh, qr/core=0 fsize=unlimited nofile=1024/,
     'no core files, no file size limit, 1024 descriptors');
# a squeezed file size limit does not cut a key line in half
$r = $a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
like(slurp("$x2go/authorized_keys") // '', qr/\A$LINE\n\z/,
     'a soft RLIMIT_FSIZE of 1 byte from the caller: the whole line is written');
# a hard limit root may not be able to raise (no CAP_SYS_RESOURCE): the
# agent refuses to start rather than fail half-way
$a->caller_prefix('prlimit', '--nofile=16', '--');
refused($a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys'), 6,
        "the caller's descriptor limit (RLIMIT_NOFILE) is below 64",
        'a hard RLIMIT_NOFILE of 16');
$a->caller_prefix('prlimit', '--cpu=5', '--');
refused($a->local($USER, 'ping'), 6,
        "the caller's CPU time limit (RLIMIT_CPU) is below the agent's time limit",
        'a hard RLIMIT_CPU of 5 s');
$a->caller_prefix();
$a->over('/usr/bin/x2goterminate-session', undef);
remove_tree($x2go);

# --- the end: nothing changed outside the user's files --------------------
is(sums(), $before, 'passwd, shadow, group, gshadow, sudoers unchanged');
ok(!-e $MARK, 'no marker file, ever');
$r = $a->ssh("sh -c '$AGENT $USER ping; touch $MARK'");
like($r->{log}, qr/outcome=refused: refused SSH command/,
     'refusals are logged');
