package X2GoBTest;
# Helpers shared by the mod_x2gobroker Apache::Test files (t/*.t).
#
# Requests go to 127.0.0.1:<Apache::Test port> directly (not "localhost",
# which may resolve to ::1 first while httpd listens on 127.0.0.1 only),
# through a fresh LWP::UserAgent so a test can pick the client address
# (local_address) and the exact body and Content-Type.
use strict;
use warnings FATAL => 'all';

use Exporter qw(import);
use Apache::Test ();
use LWP::UserAgent ();
use HTTP::Request ();
use IO::Socket::INET ();
use IO::Select ();
use Encode ();
use POSIX ();
use Time::HiRes ();

our @EXPORT = qw(
    $UUID_RE xgb_post xgb_request form_encode raw_http base_url
    server_port t_dir data_file slurp spew spew_atomic
    error_page plain_parts authid_of expected_plain expected_json
    error_log_mark error_log_since scratch have_env free_port
    profile_ids basic_auth pid_from_file stop_pid
);

# A lowercase RFC 4122 version 4 UUID, as the broker mints AUTHIDs.
our $UUID_RE =
    qr/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

sub server_port { Apache::Test::vars('port') }
sub t_dir       { Apache::Test::vars('t_dir') }
sub base_url    { 'http://127.0.0.1:' . server_port() }
sub data_file   { t_dir() . '/data/' . $_[0] }
sub scratch     { $ENV{X2GOB_TEST_SCRATCH} }

# True when t/run-suite provided PostgreSQL, slapd and the scratch dir.
sub have_env {
    return $ENV{X2GOB_TEST_SCRATCH} && -d $ENV{X2GOB_TEST_SCRATCH}
        && $ENV{X2GOB_TEST_PGPORT} && $ENV{X2GOB_TEST_LDAPPORT};
}

sub slurp {
    my $file = shift;
    open my $fh, '<:raw', $file or die "open $file: $!";
    local $/;
    my $s = <$fh>;
    close $fh;
    return $s;
}

sub spew {
    my ($file, $content) = @_;
    open my $fh, '>:raw', $file or die "open $file: $!";
    print $fh $content;
    close $fh or die "close $file: $!";
}

# Replace a file by rename, as editors and config management do: the
# reader sees the old or the new file, never a half-written one.
sub spew_atomic {
    my ($file, $content) = @_;
    my $tmp = "$file.tmp.$$";
    spew($tmp, $content);
    chmod 0644, $tmp;
    rename $tmp, $file or die "rename $tmp: $!";
}

# application/x-www-form-urlencoded body from (name => value, ...) pairs,
# order kept.  Names and values are Perl character strings and go out as
# UTF-8 ("\x{e9}" is U+00E9); to send other bytes, build the body by hand
# ("password=%E9").
sub form_encode {
    my @pairs = @_;
    my @out;
    while (@pairs) {
        my ($k, $v) = splice @pairs, 0, 2;
        push @out, _pct($k) . '=' . _pct($v);
    }
    return join '&', @out;
}

sub _pct {
    my $s = shift;
    $s = '' unless defined $s;
    $s = Encode::encode('UTF-8', $s);
    $s =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

# xgb_request(METHOD, PATH, %opt) -> HTTP::Response
#   body          request body (string); for POST default ''
#   content_type  default application/x-www-form-urlencoded when a body
#                 is sent; undef value in %opt suppresses the header
#   headers       arrayref of extra header pairs
#   local_address client source address (e.g. 127.0.0.2)
#   timeout       seconds, default 30
sub xgb_request {
    my ($method, $path, %opt) = @_;
    my $ua = LWP::UserAgent->new(
        keep_alive => 0,
        timeout    => $opt{timeout} || 30,
        max_redirect => 0,
        ($opt{local_address} ? (local_address => $opt{local_address}) : ()),
    );
    my $url = $path =~ m{^https?://} ? $path : base_url() . $path;
    my $req = HTTP::Request->new($method => $url);
    if (defined $opt{body}) {
        $req->content($opt{body});
        my $ct = exists $opt{content_type} ? $opt{content_type}
                 : 'application/x-www-form-urlencoded';
        $req->header('Content-Type' => $ct) if defined $ct;
        $req->header('Content-Length' => length $opt{body});
    }
    my @h = @{ $opt{headers} || [] };
    while (@h) {
        my ($k, $v) = splice @h, 0, 2;
        $req->header($k => $v);
    }
    my $res = $ua->request($req);
    # LWP answers by itself (500, "Client-Warning: Internal response")
    # when the server did not: say so, a bare 500 would mislead
    if (($res->header('Client-Warning') // '') eq 'Internal response') {
        print STDERR "# $method $path: no HTTP response from the server: ",
            $res->message, "\n";
    }
    return $res;
}

# xgb_post(PATH, BODY, %opt): BODY is a string (sent as is) or an
# arrayref of name/value pairs (form-encoded).
sub xgb_post {
    my ($path, $body, %opt) = @_;
    $body = form_encode(@$body) if ref $body eq 'ARRAY';
    $body = '' unless defined $body;
    return xgb_request('POST', $path, %opt, body => $body);
}

# Value of an Authorization header for HTTP Basic.
sub basic_auth {
    my ($user, $pass) = @_;
    require MIME::Base64;
    my $cred = Encode::encode('UTF-8', "$user:$pass");
    return 'Basic ' . MIME::Base64::encode_base64($cred, '');
}

# The exact error page of the reference (Tornado's default), e.g.
# error_page(401, 'Unauthorized').
sub error_page {
    my ($code, $reason) = @_;
    return "<html><title>$code: $reason</title>"
         . "<body>$code: $reason</body></html>";
}

# Split a plain-frontend body: returns a hashref
#   authid  the AUTHID value or undef
#   granted 1 if the "Access granted" line follows
#   rest    everything after "Access granted\n"
sub plain_parts {
    my $body = shift;
    my %p = (authid => undef, granted => 0, rest => undef);
    my $s = $body;
    if ($s =~ s/\AAUTHID:([^\n]*)\n//) {
        $p{authid} = $1;
    }
    if ($s =~ s/\AAccess granted\n//) {
        $p{granted} = 1;
        $p{rest} = $s;
    }
    return \%p;
}

sub authid_of {
    my $res = shift;
    return plain_parts($res->content)->{authid};
}

# Profile IDs of a listsessions body, in order.
sub profile_ids {
    my $body = shift;
    return [ $body =~ /^\[([^\]\n]*)\]$/mg ];
}

# Expected bytes recorded from the reference broker (t/data/expected/),
# with the AUTHID / next-authid placeholder filled in.
sub expected_plain {
    my ($name, $authid) = @_;
    my $s = slurp(data_file("expected/$name"));
    $s =~ s/\@UUID\@/$authid/g;
    return $s;
}

sub expected_json {
    my ($name, $authid) = @_;
    return expected_plain($name, $authid);
}

# error_log_mark() -> current size of t/logs/error_log;
# error_log_since(MARK[, WAIT_RE, TIMEOUT]) -> text appended since then,
# optionally waiting until it matches WAIT_RE (children log
# asynchronously from the client's point of view).
sub error_log_file { Apache::Test::vars('t_logs') . '/error_log' }

sub error_log_mark {
    my $f = error_log_file();
    return -s $f || 0;
}

sub error_log_since {
    my ($mark, $wait_re, $timeout) = @_;
    my $f = error_log_file();
    my $deadline = Time::HiRes::time() + ($timeout || 5);
    my $text = '';
    while (1) {
        if (open my $fh, '<:raw', $f) {
            seek $fh, $mark, 0;
            local $/;
            $text = <$fh>;
            $text = '' unless defined $text;
            close $fh;
        }
        return $text if !$wait_re || $text =~ $wait_re;
        return $text if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.1);
    }
}

# A TCP port on 127.0.0.1 that was free a moment ago.
# The PID in a daemon's pid file, or undef.
sub pid_from_file {
    my $file = shift;
    return undef unless -f $file;
    my $pid = slurp($file);
    $pid =~ s/\s+//g;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

# SIGTERM, then SIGKILL if the process is still there after 10 s.
sub stop_pid {
    my $pid = shift;
    kill 'TERM', $pid;
    my $deadline = Time::HiRes::time() + 10;
    while (kill 0, $pid) {
        if (Time::HiRes::time() > $deadline) {
            kill 'KILL', $pid;
            last;
        }
        Time::HiRes::sleep(0.05);
    }
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, Proto => 'tcp',
                                  LocalAddr => '127.0.0.1', LocalPort => 0)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# raw_http(BYTES, %opt) -> what the server answered (possibly '') before
# it closed the connection or `timeout` (default 5 s) passed.
#   half_close  shut down our sending side after writing
#   port        default the Apache::Test port
sub raw_http {
    my ($bytes, %opt) = @_;
    my $sock = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $opt{port} || server_port(),
        Proto    => 'tcp',
        Timeout  => 5,
    ) or return undef;
    binmode $sock;
    local $SIG{PIPE} = 'IGNORE';
    syswrite $sock, $bytes if length $bytes;
    shutdown $sock, 1 if $opt{half_close};
    my $sel = IO::Select->new($sock);
    my $deadline = Time::HiRes::time() + ($opt{timeout} || 5);
    my $resp = '';
    while ((my $left = $deadline - Time::HiRes::time()) > 0) {
        last unless $sel->can_read($left);
        my $n = sysread $sock, my $buf, 65536;
        last unless $n;
        $resp .= $buf;
    }
    close $sock;
    return $resp;
}

1;
