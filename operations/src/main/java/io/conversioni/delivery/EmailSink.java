package io.conversioni.delivery;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * A sink that sends each message as a plain-text e-mail over SMTP (Eclipse Angus Mail), optionally with
 * STARTTLS and a login. Connection, read and write timeouts are the delivery timeout. Refused recipients
 * and a refused login go to the dead letters; anything else (server down, 4xx) is retried. Lane thread only.
 */
final class EmailSink implements Sink {
    private final String name;
    private final Session session;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final String username;
    private final String password;
    private final Set<String> rules;

    EmailSink(final String name, final String host, final int port, final boolean starttls, final String username,
              final String password, final String from, final List<String> to, final long timeoutMillis,
              final Set<String> rules) throws AddressException {
        this.name = name;
        final Properties p = new Properties();
        p.setProperty("mail.smtp.host", host);
        p.setProperty("mail.smtp.port", Integer.toString(port));
        p.setProperty("mail.smtp.connectiontimeout", Long.toString(timeoutMillis));
        p.setProperty("mail.smtp.timeout", Long.toString(timeoutMillis));
        p.setProperty("mail.smtp.writetimeout", Long.toString(timeoutMillis));
        p.setProperty("mail.smtp.starttls.enable", Boolean.toString(starttls));
        p.setProperty("mail.smtp.starttls.required", Boolean.toString(starttls));
        p.setProperty("mail.smtp.auth", Boolean.toString(!username.isEmpty()));
        this.session = Session.getInstance(p);
        this.from = new InternetAddress(from, true);
        this.to = InternetAddress.parse(String.join(",", to), true);
        this.username = username;
        this.password = password;
        this.rules = rules;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(final String regola) {
        return rules.isEmpty() || rules.contains(regola);
    }

    @Override
    public void send(final DeliveryItem item) throws DeliveryFailure {
        try {
            final MimeMessage m = new MimeMessage(session);
            m.setFrom(from);
            m.setRecipients(Message.RecipientType.TO, to);
            m.setSubject(item.titolo, "UTF-8");
            m.setSentDate(new Date());
            m.setText(item.testo + "\n\n" + item.json + "\n", "UTF-8");
            if (username.isEmpty()) {
                Transport.send(m);
            } else {
                Transport.send(m, username, password);
            }
        } catch (AuthenticationFailedException e) {
            throw new DeliveryFailure("SMTP login refused: " + e.getMessage(), false, -1);
        } catch (SendFailedException e) {
            final boolean refusedRecipients = e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0;
            throw new DeliveryFailure("SMTP refused the message: " + e.getMessage(), !refusedRecipients, -1);
        } catch (MessagingException e) {
            throw new DeliveryFailure("SMTP failed: " + e.getMessage(), true, -1);
        }
    }
}
