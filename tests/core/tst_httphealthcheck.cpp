#include "httpserver.h"
#include "release/httphealthcheck.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace rd;
using namespace rd::test;

// The HTTP health check against a real local HTTP server.
class TestHttpHealthCheck : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_server.ok()); }
    void expectedStatusIsHealthy();
    void wrongStatusFailsAfterEveryRetry();
    void flakyServerRecovers();
    void bodyTextMustBePresent();
    void slowAnswerTimesOut();
    void refusedConnectionIsReported();
    void placeholdersAreFilledAndEncoded();
    void invalidTemplatesAreRefused();
    void cancelStopsAWaitingCheck();
    void serversRunAtOnce();
    void deletedWhileCheckingDoesNotCrash();

private:
    // Runs one check and returns (healthy, message).
    std::pair<bool, QString> check(const HttpCheck &spec, const QString &server = QStringLiteral("web-1"),
                                   QStringList *lines = nullptr);
    HttpCheck spec(const QString &path) const
    {
        HttpCheck spec;
        spec.url = m_server.url(path);
        spec.intervalMs = 50;
        spec.retries = 2;
        spec.timeoutMs = 2000;
        return spec;
    }

    HttpServer m_server;
};

std::pair<bool, QString> TestHttpHealthCheck::check(const HttpCheck &spec, const QString &server, QStringList *lines)
{
    HttpHealthCheck health(spec);
    QSignalSpy finished(&health, &HttpHealthCheck::finished);
    QSignalSpy attempts(&health, &HttpHealthCheck::attemptFinished);
    health.start(server, QStringLiteral("127.0.0.1"));
    if (!finished.wait(20000))
        return {false, QStringLiteral("no outcome")};
    if (lines)
        for (const QList<QVariant> &attempt : attempts)
            lines->append(attempt.at(2).toString());
    return {finished.first().at(1).toBool(), finished.first().at(2).toString()};
}

void TestHttpHealthCheck::expectedStatusIsHealthy()
{
    QStringList lines;
    const auto [healthy, message] = check(spec(QStringLiteral("/status/200")), QStringLiteral("web-1"), &lines);
    QVERIFY2(healthy, qPrintable(message));
    QCOMPARE(lines.size(), 1);
    QVERIFY(lines.first().contains(QStringLiteral("/status/200")));
}

void TestHttpHealthCheck::wrongStatusFailsAfterEveryRetry()
{
    const int before = int(m_server.requests().count(QStringLiteral("/status/500")));
    QStringList lines;
    const auto [healthy, message] = check(spec(QStringLiteral("/status/500")), QStringLiteral("web-1"), &lines);
    QVERIFY(!healthy);
    QVERIFY2(message.contains(QStringLiteral("500")) && message.contains(QStringLiteral("expected 200")), qPrintable(message));
    QCOMPARE(lines.size(), 3);
    QCOMPARE(int(m_server.requests().count(QStringLiteral("/status/500"))) - before, 3);
}

void TestHttpHealthCheck::flakyServerRecovers()
{
    QStringList lines;
    const auto [healthy, message] = check(spec(QStringLiteral("/flaky/recover/2")), QStringLiteral("web-1"), &lines);
    QVERIFY2(healthy, qPrintable(message));
    QCOMPARE(lines.size(), 3);
}

void TestHttpHealthCheck::bodyTextMustBePresent()
{
    HttpCheck present = spec(QStringLiteral("/status/200?body=all%20systems%20go"));
    present.bodyContains = QStringLiteral("systems go");
    QVERIFY(check(present).first);
    HttpCheck absent = present;
    absent.bodyContains = QStringLiteral("database ok");
    absent.retries = 0;
    const auto [healthy, message] = check(absent);
    QVERIFY(!healthy);
    QVERIFY2(message.contains(QStringLiteral("database ok")), qPrintable(message));
}

void TestHttpHealthCheck::slowAnswerTimesOut()
{
    HttpCheck slow = spec(QStringLiteral("/sleep/3"));
    slow.timeoutMs = 300;
    slow.retries = 0;
    const auto [healthy, message] = check(slow);
    QVERIFY(!healthy);
    QVERIFY2(message.contains(QStringLiteral("300 ms")), qPrintable(message));
}

void TestHttpHealthCheck::refusedConnectionIsReported()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    HttpCheck refused = spec(QString());
    refused.url = QStringLiteral("http://{host}:%1/health").arg(port);
    refused.retries = 1;
    const auto [healthy, message] = check(refused);
    QVERIFY(!healthy);
    QVERIFY2(message.contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(message));
}

void TestHttpHealthCheck::placeholdersAreFilledAndEncoded()
{
    auto url = HttpHealthCheck::urlFor(QStringLiteral("http://{host}:8080/health/{server}"), QStringLiteral("10.0.0.5"),
                                       QStringLiteral("web 1/../x?y"));
    QVERIFY(url);
    QCOMPARE(url->host(), QStringLiteral("10.0.0.5"));
    QCOMPARE(url->port(), 8080);
    QCOMPARE(url->path(QUrl::FullyEncoded), QStringLiteral("/health/web%201%2F..%2Fx%3Fy"));
    QVERIFY(!url->hasQuery());
    auto v6 = HttpHealthCheck::urlFor(QStringLiteral("https://{host}/"), QStringLiteral("::1"), QString());
    QVERIFY(v6);
    QCOMPARE(v6->host(), QStringLiteral("::1"));
    // The server's own answer for its name.
    HttpCheck named = spec(QStringLiteral("/health/{server}"));
    named.bodyContains = QStringLiteral("ok web 1");
    QVERIFY(check(named, QStringLiteral("web 1")).first);
}

void TestHttpHealthCheck::invalidTemplatesAreRefused()
{
    for (const QString &bad : {QStringLiteral("ftp://{host}/x"), QStringLiteral("{host}/health"),
                               QStringLiteral("http:///health"), QStringLiteral("http://{host}:99999/")}) {
        auto url = HttpHealthCheck::urlFor(bad, QStringLiteral("127.0.0.1"), QStringLiteral("web-1"));
        QVERIFY2(!url, qPrintable(bad));
        QVERIFY(!url.error().hint.isEmpty());
    }
    HttpCheck bad = spec(QString());
    bad.url = QStringLiteral("ftp://{host}/");
    const auto [healthy, message] = check(bad);
    QVERIFY(!healthy);
    QVERIFY2(message.contains(QStringLiteral("not http or https")), qPrintable(message));
}

void TestHttpHealthCheck::cancelStopsAWaitingCheck()
{
    HttpCheck slow = spec(QStringLiteral("/sleep/5"));
    slow.timeoutMs = 10000;
    HttpHealthCheck health(slow);
    QSignalSpy finished(&health, &HttpHealthCheck::finished);
    health.start(QStringLiteral("web-1"), QStringLiteral("127.0.0.1"));
    QTest::qWait(200);
    health.cancel(QStringLiteral("web-1"));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(1).toBool(), false);
    QVERIFY(finished.first().at(2).toString().contains(QStringLiteral("cancelled")));
    // Mid-interval too: a failing check waiting for its next attempt.
    HttpCheck waiting = spec(QStringLiteral("/status/503"));
    waiting.intervalMs = 5000;
    HttpHealthCheck second(waiting);
    QSignalSpy attempts(&second, &HttpHealthCheck::attemptFinished);
    QSignalSpy ended(&second, &HttpHealthCheck::finished);
    second.start(QStringLiteral("web-2"), QStringLiteral("127.0.0.1"));
    QVERIFY(attempts.wait(5000));
    second.cancelAll();
    QCOMPARE(ended.size(), 1);
    QTest::qWait(300);
    QCOMPARE(attempts.size(), 1);
}

void TestHttpHealthCheck::serversRunAtOnce()
{
    m_server.setFailing(QStringLiteral("web-2"), true);
    HttpCheck both = spec(QStringLiteral("/health/{server}"));
    both.retries = 0;
    HttpHealthCheck health(both);
    QSignalSpy finished(&health, &HttpHealthCheck::finished);
    health.start(QStringLiteral("web-1"), QStringLiteral("127.0.0.1"));
    health.start(QStringLiteral("web-2"), QStringLiteral("127.0.0.1"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
    QHash<QString, bool> outcome;
    for (const QList<QVariant> &result : finished)
        outcome.insert(result.at(0).toString(), result.at(1).toBool());
    QCOMPARE(outcome.value(QStringLiteral("web-1")), true);
    QCOMPARE(outcome.value(QStringLiteral("web-2")), false);
    m_server.setFailing(QStringLiteral("web-2"), false);
}

void TestHttpHealthCheck::deletedWhileCheckingDoesNotCrash()
{
    auto *health = new HttpHealthCheck(spec(QStringLiteral("/sleep/1")));
    health->start(QStringLiteral("web-1"), QStringLiteral("127.0.0.1"));
    QTest::qWait(100);
    delete health;
    QTest::qWait(1500);
    QVERIFY(m_server.requests().contains(QStringLiteral("/sleep/1")));
}

QTEST_GUILESS_MAIN(TestHttpHealthCheck)
#include "tst_httphealthcheck.moc"
