package io.conversioni.delivery;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.conversioni.alert.AlertSignal;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.conversioni.delivery.DeliveryServiceTest.ALERT;
import static io.conversioni.delivery.DeliveryServiceTest.await;
import static io.conversioni.delivery.DeliveryServiceTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The e-mail sink against a real in-process SMTP server (GreenMail) on 127.0.0.1. */
@Timeout(60)
class EmailSinkTest {
    @TempDir
    Path data;

    private GreenMail smtp;
    private DeliveryService delivery;

    @BeforeEach
    void startSmtp() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        smtp.setUser("ops@example.com", "ops", "secret");
    }

    @AfterEach
    void stop() {
        if (delivery != null) {
            delivery.close();
        }
        smtp.stop();
    }

    private String sink(final int port) {
        return "  first_retry: 20ms\n  max_attempts: 2\n  timeout: 2s\n  sinks:\n    posta:\n      type: email\n"
            + "      host: 127.0.0.1\n      port: " + port + "\n      username: ops\n      password_env: SMTP_PASSWORD\n"
            + "      from: conversioni@example.com\n      to: [ops@example.com, vendite@example.com]\n";
    }

    @Test
    void shouldMailTheAlertWithALoginToEveryRecipient() throws Exception {
        delivery = DeliveryService.start(config(sink(smtp.getSmtp().getPort()), Map.of("SMTP_PASSWORD", "secret")), data,
            () -> AlertSignal.NONE);
        delivery.onChange(ALERT);
        await("one copy per recipient", () -> smtp.getReceivedMessages().length == 2);
        final MimeMessage m = smtp.getReceivedMessages()[0];
        assertEquals("[conversioni] ALLARME duplicati canale=email", m.getSubject());
        assertEquals("conversioni@example.com", m.getFrom()[0].toString());
        final String body = GreenMailUtil.getBody(m);
        assertTrue(body.contains("more than 3 duplicates") && body.contains("\"regola\":\"duplicati\""), body);
        await("counted as delivered", () -> delivery.delivered() == 1);
    }

    @Test
    void shouldDeadLetterARefusedLoginAtOnce() throws Exception {
        delivery = DeliveryService.start(config(sink(smtp.getSmtp().getPort()), Map.of("SMTP_PASSWORD", "wrong")), data,
            () -> AlertSignal.NONE);
        delivery.onChange(ALERT);
        await("dead-lettered", () -> delivery.deadLettered() == 1);
        assertEquals(0, smtp.getReceivedMessages().length);
        try (DeadLetters letters = DeadLetters.open(data)) {
            final List<DeadLetters.Letter> list = letters.list();
            assertEquals(1, list.get(0).attempts(), "a refused login is not retried");
            assertTrue(list.get(0).lastError().startsWith("SMTP login refused"), list.get(0).lastError());
        }
    }

    @Test
    void shouldRetryAnUnreachableServerThenDeadLetter() throws Exception {
        final int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        delivery = DeliveryService.start(config(sink(closedPort), Map.of("SMTP_PASSWORD", "secret")), data,
            () -> AlertSignal.NONE);
        delivery.onChange(ALERT);
        await("dead-lettered", () -> delivery.deadLettered() == 1);
        try (DeadLetters letters = DeadLetters.open(data)) {
            assertEquals(2, letters.list().get(0).attempts());
        }
    }
}
