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
plan tests => 142, need
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
refused($a->local($USER, 'addauthkey', $KEY, '%h/.x2go/shadow'), 5,
        'refused: .x2go is a symlink or not a directory', 'symlinked dir');
unlink $x2go;

$r = $a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
is_deeply([$r->{rc}, $r->{out}, $r->{err}], [0, "OK\n", ''], 'addauthkey');
my @st = stat "$x2go/authorized_keys";
is_deeply([$st[4], $st[2] & 07777], [$uinfo[2], 0600],
          'file created by the user, mode 0600');
is(slurp("$x2go/authorized_keys"), "$KEY\n", 'the key line, once');
like($r->{log},
     qr/caller=x2gobroker from=local user=\Q$USER\E task=addauthkey outcome=ok/,
     'logged to syslog');
$r = $a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
is(slurp("$x2go/authorized_keys"), "$KEY\n", 'added twice: still once');
# a key in the middle of the file is found too (upstream looked at the
# end only) and other lines are kept
open my $fh, '>>', "$x2go/authorized_keys";
print $fh "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTHER other";
close $fh;
$a->local($USER, 'addauthkey', $KEY, '%h/.x2go/authorized_keys');
is(slurp("$x2go/authorized_keys"),
   "$KEY\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTHER other",
   'a key already present mid-file is not added again');
$r = $a->ssh("sh -c '$AGENT $USER delauthkey \"$KEY\" "
             . "\"%h/.x2go/authorized_keys\"'");
is_deeply([$r->{rc}, $r->{out}], [0, "OK\n"], 'delauthkey over SSH');
is(slurp("$x2go/authorized_keys"),
   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTHER other\n",
   'the key is gone, the other line stays');
@st = stat "$x2go/authorized_keys";
is_deeply([$st[4], $st[2] & 07777], [$uinfo[2], 0600],
          'owner and mode kept');
like($r->{log},
     qr/from=192\.0\.2\.9 user=\Q$USER\E task=delauthkey outcome=ok/,
     'logged with the SSH client address');
$r = $a->local($USER, 'delauthkey', $KEY, '%h/nonexistent/dir/keys');
is_deeply([$r->{rc}, $r->{out}], [0, "OK\n"],
          'delauthkey where there is no file: nothing to do');
ok(!-e "$home/nonexistent", 'and nothing created');
remove_tree($x2go);

# --- the end: nothing changed outside the user's files --------------------
is(sums(), $before, 'passwd, shadow, group, gshadow, sudoers unchanged');
ok(!-e $MARK, 'no marker file, ever');
$r = $a->ssh("sh -c '$AGENT $USER ping; touch $MARK'");
like($r->{log}, qr/outcome=refused: refused SSH command/,
     'refusals are logged');
