<?php
// PHPMailer through badsmtp, as an application uses it: isSMTP(), Helo, SMTPAutoTLS,
// SMTPSecure, SMTPOptions, AuthType, send() with exceptions on. PHPMailer composes its own
// message, so it is given the subject and body of the message file. Arguments and output:
// clients/lib/common.py.
require '/usr/share/php/libphp-phpmailer/autoload.php';

use PHPMailer\PHPMailer\OAuthTokenProvider;
use PHPMailer\PHPMailer\PHPMailer;

const LIB = 'phpmailer';

// The XOAUTH2 token, as PHPMailer 6.6 takes it from any OAuthTokenProvider.
class StaticToken implements OAuthTokenProvider
{
    private $user;
    private $token;

    public function __construct($user, $token)
    {
        $this->user = $user;
        $this->token = $token;
    }

    public function getOauth64()
    {
        return base64_encode("user={$this->user}\001auth=Bearer {$this->token}\001\001");
    }
}

function emit(array $out)
{
    $out += ['library' => LIB, 'version' => PHPMailer::VERSION, 'error' => null,
             'recipients' => null];
    ksort($out);
    echo json_encode($out, JSON_UNESCAPED_SLASHES), "\n";
}

$o = getopt('', ['host:', 'port:', 'ehlo:', 'from:', 'to:', 'message:', 'auth:', 'user:',
                 'pass:', 'tls:', 'ca:', 'timeout:', 'pipeline']);
$to = (array) $o['to'];
$auth = $o['auth'] ?? 'none';
$tls = $o['tls'] ?? 'none';
list($head, $body) = explode("\r\n\r\n", file_get_contents($o['message']), 2);
$subject = preg_match('/^Subject: (.*)$/mi', $head, $m) ? rtrim($m[1], "\r") : '';

$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = $o['host'];
$mail->Port = (int) $o['port'];
$mail->Helo = $o['ehlo'];
$mail->Timeout = (int) ceil((float) ($o['timeout'] ?? 10));
$mail->SMTPAutoTLS = !in_array($tls, ['none', 'implicit', 'implicit-ca'], true);
$mail->SMTPSecure = ['starttls' => 'tls', 'starttls-noverify' => 'tls', 'starttls-ca' => 'tls',
                     'implicit' => 'ssl', 'implicit-ca' => 'ssl'][$tls] ?? '';
if ($tls === 'starttls-noverify' || $tls === 'implicit') {
    $mail->SMTPOptions = ['ssl' => ['verify_peer' => false, 'verify_peer_name' => false,
                                    'allow_self_signed' => true]];
} elseif ($tls === 'starttls-ca' || $tls === 'implicit-ca') {
    $mail->SMTPOptions = ['ssl' => ['cafile' => $o['ca']]];
}
if ($auth !== 'none') {
    $mail->SMTPAuth = true;
    $mail->AuthType = $auth;
    $mail->Username = $o['user'];
    $mail->Password = $o['pass'];
    if ($auth === 'XOAUTH2') {
        $mail->setOAuth(new StaticToken($o['user'], $o['pass']));
    }
}
$mail->setFrom($o['from'], '', false);
foreach ($to as $addr) {
    $mail->addAddress($addr);
}
$mail->Subject = $subject;
$mail->Body = $body;
$recipients = [];
// PHPMailer's per-recipient report: called once per recipient after the message went out.
$mail->action_function = function ($sent, $to) use (&$recipients) {
    $recipients[] = ['address' => $to[0][0], 'accepted' => (bool) $sent, 'code' => null,
                     'message' => null];
};

try {
    $mail->send();
    emit(['outcome' => 'sent', 'recipients' => $recipients]);
} catch (\Throwable $e) {
    // The last SMTP error is kept by the SMTP instance, apart from the exception.
    $last = $mail->getSMTPInstance()->getError();
    emit(['outcome' => 'error',
          'error' => ['class' => get_class($e), 'message' => $e->getMessage(), 'code' => null,
                      'enhanced' => null],
          'recipients' => $recipients ?: null,
          'detail' => ['smtp_getError' => $last]]);
}
