// Jakarta Mail through badsmtp, as an application uses it: a Session from mail.smtp.*
// properties, a MimeMessage read from the message file, Transport.connect/sendMessage/close.
// Jakarta Mail 2.0 has PLAIN, LOGIN and XOAUTH2 itself; CRAM-MD5 comes through Java SASL
// (mail.smtp.sasl.enable). Arguments and output: clients/lib/common.py.
import com.sun.mail.smtp.SMTPAddressFailedException;
import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPSenderFailedException;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class JakartaClient {
    static final String LIB = "jakarta";

    static String json(Object v) {
        if (v == null) return "null";
        if (v instanceof Boolean || v instanceof Integer) return v.toString();
        if (v instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : new TreeMap<Object, Object>((Map<?, ?>) v).entrySet()) {
                if (b.length() > 1) b.append(',');
                b.append(json(e.getKey().toString())).append(':').append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v instanceof List) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : (List<?>) v) {
                if (b.length() > 1) b.append(',');
                b.append(json(o));
            }
            return b.append(']').toString();
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toString().toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String version() {
        String v = Session.class.getPackage().getImplementationVersion();
        return v != null ? v : "unknown";
    }

    static void emit(Map<String, Object> out) {
        out.put("library", LIB);
        out.put("version", version());
        out.putIfAbsent("error", null);
        out.putIfAbsent("recipients", null);
        System.out.println(json(out));
    }

    static Integer code(Exception e) {
        if (e instanceof SMTPSendFailedException) return ((SMTPSendFailedException) e).getReturnCode();
        if (e instanceof SMTPSenderFailedException) return ((SMTPSenderFailedException) e).getReturnCode();
        if (e instanceof SMTPAddressFailedException) return ((SMTPAddressFailedException) e).getReturnCode();
        return null;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> o = new HashMap<>();
        List<String> to = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String k = argv[i].substring(2);
            if (k.equals("pipeline")) continue;
            if (k.equals("to")) to.add(argv[++i]);
            else o.put(k, argv[++i]);
        }
        String tls = o.getOrDefault("tls", "none"), auth = o.getOrDefault("auth", "none");
        String ms = String.valueOf(Math.round(Double.parseDouble(o.getOrDefault("timeout", "10")) * 1000));

        Properties p = new Properties();
        p.put("mail.smtp.host", o.get("host"));
        p.put("mail.smtp.port", o.get("port"));
        p.put("mail.smtp.localhost", o.get("ehlo"));
        p.put("mail.smtp.from", o.get("from"));
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        if (tls.equals("none")) p.put("mail.smtp.starttls.enable", "false");
        if (tls.startsWith("starttls")) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (tls.startsWith("implicit")) p.put("mail.smtp.ssl.enable", "true");
        if (tls.equals("starttls-noverify") || tls.equals("implicit")) p.put("mail.smtp.ssl.trust", "*");
        if (tls.endsWith("-ca")) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = new FileInputStream(o.get("ca"))) {
                ks.setCertificateEntry("badsmtp", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            p.put("mail.smtp.ssl.socketFactory", ctx.getSocketFactory());
            p.put("mail.smtp.ssl.checkserveridentity", "true");
        }
        if (!auth.equals("none")) {
            p.put("mail.smtp.auth", "true");
            if (auth.equals("CRAM-MD5")) {
                p.put("mail.smtp.sasl.enable", "true");
                p.put("mail.smtp.sasl.mechanisms", "CRAM-MD5");
            } else {
                p.put("mail.smtp.auth.mechanisms", auth);
            }
        }

        Session session = Session.getInstance(p);
        Map<String, Object> out = new HashMap<>();
        Address[] rcpts = new Address[to.size()];
        for (int i = 0; i < rcpts.length; i++) rcpts[i] = new InternetAddress(to.get(i));
        try (InputStream in = new FileInputStream(o.get("message"))) {
            MimeMessage msg = new MimeMessage(session, in);
            Transport t = session.getTransport("smtp");
            try {
                if (auth.equals("none")) t.connect();
                else t.connect(o.get("user"), o.get("pass"));
                t.sendMessage(msg, rcpts);
            } finally {
                t.close();
            }
            out.put("outcome", "sent");
        } catch (MessagingException e) {
            Map<String, Object> err = new HashMap<>();
            err.put("class", e.getClass().getName());
            err.put("message", withCauses(e));
            err.put("code", code(e));
            err.put("enhanced", null);
            out.put("outcome", "error");
            out.put("error", err);
            if (e instanceof SendFailedException) out.put("recipients", recipients((SendFailedException) e));
        }
        emit(out);
    }

    // The message, then each cause's, as a stack trace's "Caused by" lines give them.
    static String withCauses(Throwable e) {
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null; c = c.getCause())
            b.append("; caused by ").append(c);
        return b.toString();
    }

    // SendFailedException's address lists, with each refusal's code from the exception chain.
    static List<Object> recipients(SendFailedException e) {
        Map<String, Exception> failed = new HashMap<>();
        for (Exception n = e.getNextException(); n instanceof MessagingException;
             n = ((MessagingException) n).getNextException()) {
            if (n instanceof SMTPAddressFailedException)
                failed.put(((SMTPAddressFailedException) n).getAddress().getAddress(), n);
        }
        List<Object> out = new ArrayList<>();
        Address[][] lists = {e.getValidSentAddresses(), e.getValidUnsentAddresses(), e.getInvalidAddresses()};
        for (int l = 0; l < lists.length; l++) {
            if (lists[l] == null) continue;
            for (Address a : lists[l]) {
                String addr = ((InternetAddress) a).getAddress();
                Map<String, Object> r = new HashMap<>();
                r.put("address", addr);
                r.put("accepted", l == 0);
                Exception f = failed.get(addr);
                r.put("code", f == null ? null : code(f));
                r.put("message", f == null ? (l == 1 ? "valid, not sent" : null) : f.getMessage());
                out.add(r);
            }
        }
        return out;
    }
}
