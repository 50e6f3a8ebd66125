#include "common/credentialredaction.h"
#include "inventory/project.h"
#include "inventory/validator.h"

#include <QTest>

using namespace rd;

class TestValidator : public QObject
{
    Q_OBJECT

private slots:
    void host_data();
    void host();
    void port_data();
    void port();
    void name_data();
    void name();
    void username_data();
    void username();
    void deployRoot_data();
    void deployRoot();
    void sharedPath_data();
    void sharedPath();
    void gitUrl_data();
    void gitUrl();
    void unauthenticatedTransportNeedsConsent();
    void credentialsAreRedacted_data();
    void credentialsAreRedacted();
    void branch_data();
    void branch();
    void freeText();
    void entityChecksNameEveryBadField();
    void combineListsEveryField();
};

void TestValidator::host_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("hostname") << QStringLiteral("web-01.example.com") << true << QString();
    QTest::newRow("single label") << QStringLiteral("localhost") << true << QString();
    QTest::newRow("trailing dot") << QStringLiteral("db.example.org.") << true << QString();
    QTest::newRow("ipv4") << QStringLiteral("192.0.2.10") << true << QString();
    QTest::newRow("ipv6") << QStringLiteral("2001:db8::10") << true << QString();
    QTest::newRow("ipv6 loopback bracketed") << QStringLiteral("[::1]") << true << QString();
    QTest::newRow("empty") << QString() << false << QStringLiteral("empty");
    QTest::newRow("octet too big") << QStringLiteral("192.0.2.300") << false << QStringLiteral("IPv4");
    QTest::newRow("three octets") << QStringLiteral("10.1.2") << false << QStringLiteral("IPv4");
    QTest::newRow("leading zero octet") << QStringLiteral("010.1.2.3") << false << QStringLiteral("IPv4");
    QTest::newRow("bad ipv6") << QStringLiteral("2001:db8:::1") << false << QStringLiteral("IPv6");
    QTest::newRow("ipv6 zone") << QStringLiteral("fe80::1%eth0") << false << QStringLiteral("IPv6");
    QTest::newRow("host with port") << QStringLiteral("web01:22") << false << QStringLiteral("IPv6");
    QTest::newRow("underscore") << QStringLiteral("web_01") << false << QStringLiteral("host name");
    QTest::newRow("leading hyphen") << QStringLiteral("-oProxyCommand=x") << false << QStringLiteral("host name");
    QTest::newRow("trailing hyphen label") << QStringLiteral("web-.example.com") << false
                                           << QStringLiteral("host name");
    QTest::newRow("empty label") << QStringLiteral("web..example.com") << false << QStringLiteral("host name");
    QTest::newRow("label too long") << QString(64, u'a') + QStringLiteral(".com") << false
                                    << QStringLiteral("host name");
    QTest::newRow("name too long") << (QString(60, u'a') + u'.').repeated(5) + QStringLiteral("com") << false
                                   << QStringLiteral("host name");
    QTest::newRow("shell") << QStringLiteral("$(reboot)") << false << QStringLiteral("host name");
    QTest::newRow("space") << QStringLiteral("web 01") << false << QStringLiteral("space or control");
    QTest::newRow("unicode") << QStringLiteral("wéb.example.com") << false << QStringLiteral("host name");
    // Found by fuzzing: QHostAddress reads past blanks inside the brackets.
    QTest::newRow("tab in ipv6") << QStringLiteral("[\t2:db8::]") << false << QStringLiteral("space or control");
    QTest::newRow("newline after ipv4") << QStringLiteral("10.0.0.1\n") << false << QStringLiteral("space or control");
}

void TestValidator::host()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    QFETCH(QString, messagePart);
    const auto error = Validator::host(value);
    QCOMPARE(!error.has_value(), valid);
    if (error) {
        QVERIFY2(error->message.contains(messagePart), qPrintable(error->message));
        QVERIFY(!error->hint.isEmpty());
        QCOMPARE(error->field, QStringLiteral("host"));
    }
}

void TestValidator::port_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("22") << QStringLiteral("22") << true;
    QTest::newRow("1") << QStringLiteral("1") << true;
    QTest::newRow("65535") << QStringLiteral("65535") << true;
    QTest::newRow("0") << QStringLiteral("0") << false;
    QTest::newRow("65536") << QStringLiteral("65536") << false;
    QTest::newRow("negative") << QStringLiteral("-22") << false;
    QTest::newRow("text") << QStringLiteral("ssh") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("fraction") << QStringLiteral("22.5") << false;
}

void TestValidator::port()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    int value = 0;
    const auto error = Validator::port(text, &value);
    QCOMPARE(!error.has_value(), valid);
    if (valid)
        QCOMPARE(value, text.toInt());
    else
        QVERIFY(error->hint.contains(QStringLiteral("65535")));
}

void TestValidator::name_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << QStringLiteral("web-01") << true;
    QTest::newRow("dots underscores") << QStringLiteral("shop.api_v2") << true;
    QTest::newRow("64 chars") << QString(64, u'a') << true;
    QTest::newRow("65 chars") << QString(65, u'a') << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("leading dash") << QStringLiteral("-rf") << false;
    QTest::newRow("leading dot") << QStringLiteral(".hidden") << false;
    QTest::newRow("space") << QStringLiteral("web 01") << false;
    QTest::newRow("command substitution") << QStringLiteral("$(rm -rf /)") << false;
    QTest::newRow("backticks") << QStringLiteral("`id`") << false;
    QTest::newRow("semicolon") << QStringLiteral("a;reboot") << false;
    QTest::newRow("quote") << QStringLiteral("it's") << false;
    QTest::newRow("slash") << QStringLiteral("a/b") << false;
    QTest::newRow("newline") << QStringLiteral("a\nb") << false;
    QTest::newRow("trailing newline") << QStringLiteral("prod\n") << false;
    QTest::newRow("glob") << QStringLiteral("web*") << false;
}

void TestValidator::name()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    const auto error = Validator::name(value);
    QCOMPARE(!error.has_value(), valid);
    if (error) {
        QVERIFY(!error->hint.isEmpty());
        QCOMPARE(error->field, QStringLiteral("name"));
    }
}

void TestValidator::username_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("deploy") << QStringLiteral("deploy") << true;
    QTest::newRow("underscore start") << QStringLiteral("_svc") << true;
    QTest::newRow("digit start") << QStringLiteral("1user") << false;
    QTest::newRow("too long") << QString(33, u'u') << false;
    QTest::newRow("at sign") << QStringLiteral("root@host") << false;
    QTest::newRow("option") << QStringLiteral("-oProxyCommand") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestValidator::username()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    QCOMPARE(!Validator::username(value).has_value(), valid);
    QVERIFY(!Validator::username(QString(), false).has_value());
}

void TestValidator::deployRoot_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("srv") << QStringLiteral("/srv/shop") << true;
    QTest::newRow("deep") << QStringLiteral("/data/prod/shop-api_2") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("relative") << QStringLiteral("srv/shop") << false;
    QTest::newRow("root") << QStringLiteral("/") << false;
    QTest::newRow("trailing slash") << QStringLiteral("/srv/shop/") << false;
    QTest::newRow("dotdot") << QStringLiteral("/srv/../etc") << false;
    QTest::newRow("dot") << QStringLiteral("/srv/./shop") << false;
    QTest::newRow("double slash") << QStringLiteral("/srv//shop") << false;
    QTest::newRow("space") << QStringLiteral("/srv/my shop") << false;
    QTest::newRow("substitution") << QStringLiteral("/srv/$(id)") << false;
    QTest::newRow("quote") << QStringLiteral("/srv/'x'") << false;
    QTest::newRow("tilde") << QStringLiteral("~/app") << false;
    QTest::newRow("trailing newline") << QStringLiteral("/srv/shop\n") << false;
}

void TestValidator::deployRoot()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    const auto error = Validator::deployRoot(value);
    QCOMPARE(!error.has_value(), valid);
    if (error)
        QVERIFY(error->hint.contains(QStringLiteral("/srv/app")));
}

void TestValidator::sharedPath_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("dir") << QStringLiteral("storage/logs") << true;
    QTest::newRow("dotfile") << QStringLiteral(".env") << true;
    QTest::newRow("absolute") << QStringLiteral("/etc/passwd") << false;
    QTest::newRow("escape") << QStringLiteral("../../etc") << false;
    QTest::newRow("inner dotdot") << QStringLiteral("a/../b") << false;
    QTest::newRow("trailing slash") << QStringLiteral("logs/") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("space") << QStringLiteral("my logs") << false;
}

void TestValidator::sharedPath()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    QCOMPARE(!Validator::sharedPath(value).has_value(), valid);
}

void TestValidator::gitUrl_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("https") << QStringLiteral("https://git.example.com/shop/api.git") << true;
    QTest::newRow("https port") << QStringLiteral("https://git.example.com:8443/shop/api.git") << true;
    QTest::newRow("ssh") << QStringLiteral("ssh://git@git.example.com:2222/shop/api.git") << true;
    QTest::newRow("ssh ipv6") << QStringLiteral("ssh://git@[2001:db8::5]/shop/api.git") << true;
    QTest::newRow("scp-like") << QStringLiteral("git@github.com:shop/api.git") << true;
    QTest::newRow("scp-like no user") << QStringLiteral("gitserver:repos/api.git") << true;
    QTest::newRow("file") << QStringLiteral("file:///var/git/api.git") << true;
    QTest::newRow("local path") << QStringLiteral("/var/git/api.git") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("ftp") << QStringLiteral("ftp://example.com/repo.git") << false;
    QTest::newRow("ext transport") << QStringLiteral("ext::sh -c touch% /tmp/pwned") << false;
    QTest::newRow("ext helper without spaces") << QStringLiteral("ext::/tmp/evil") << false;
    QTest::newRow("password in url") << QStringLiteral("https://user:s3cret@git.example.com/shop.git") << false;
    QTest::newRow("user without password") << QStringLiteral("https://user@git.example.com/shop.git") << true;
    QTest::newRow("ipv6 scp-like") << QStringLiteral("git@[2001:db8::5]:shop/api.git") << false;
    QTest::newRow("space") << QStringLiteral("https://example.com/my repo.git") << false;
    QTest::newRow("option") << QStringLiteral("--upload-pack=touch /tmp/x") << false;
    QTest::newRow("no path") << QStringLiteral("https://example.com") << false;
    QTest::newRow("bad host") << QStringLiteral("https://exa_mple.com/repo.git") << false;
    QTest::newRow("file relative") << QStringLiteral("file://relative/repo") << false;
    QTest::newRow("scp bad host") << QStringLiteral("git@bad_host:repo.git") << false;
    QTest::newRow("plain word") << QStringLiteral("repository") << false;
    QTest::newRow("password and a space") << QStringLiteral("https://user:s3cret@example.com/my repo.git") << false;
    QTest::newRow("password, malformed") << QStringLiteral("https://user:s3cret@exa mple.com:99999/x") << false;
}

void TestValidator::gitUrl()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    const auto error = Validator::gitUrl(value);
    QVERIFY2(!error.has_value() == valid, error ? qPrintable(error->text()) : "accepted");
    if (error) {
        QCOMPARE(error->field, QStringLiteral("gitUrl"));
        // A password in a URL is never repeated, whatever else is wrong with it.
        QVERIFY2(!error->text().contains(QStringLiteral("s3cret")), qPrintable(error->text()));
    }
}

void TestValidator::unauthenticatedTransportNeedsConsent()
{
    Project project;
    project.name = QStringLiteral("shop");
    for (const QString &url : {QStringLiteral("http://git.example.com/shop.git"),
                               QStringLiteral("git://git.example.com/shop.git"),
                               QStringLiteral("HTTP://git.example.com/shop.git")}) {
        project.gitUrl = url;
        project.allowUnauthenticated = false;
        const QList<Error> refused = Validator::check(project);
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.first().field, QStringLiteral("gitUrl"));
        QVERIFY2(refused.first().message.contains(QStringLiteral("without authenticating")),
                 qPrintable(refused.first().message));
        QVERIFY(refused.first().hint.contains(QStringLiteral("--allow-unauthenticated")));
        project.allowUnauthenticated = true;
        QVERIFY(Validator::check(project).isEmpty());
    }
    project.gitUrl = QStringLiteral("https://git.example.com/shop.git");
    project.allowUnauthenticated = false;
    QVERIFY(Validator::check(project).isEmpty());
}

void TestValidator::credentialsAreRedacted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("redacted");
    QTest::newRow("https") << QStringLiteral("fetch https://ann:pa55@git.example.com/x.git failed")
                           << QStringLiteral("fetch https://ann:***@git.example.com/x.git failed");
    QTest::newRow("two urls") << QStringLiteral("a http://u:p@h/x and ssh://git:t0ken@h:22/y")
                              << QStringLiteral("a http://u:***@h/x and ssh://git:***@h:22/y");
    QTest::newRow("at in password") << QStringLiteral("https://u:p@ss@h/x") << QStringLiteral("https://u:***@h/x");
    QTest::newRow("user only") << QStringLiteral("https://ann@h/x") << QStringLiteral("https://ann@h/x");
    QTest::newRow("port, no user") << QStringLiteral("https://h:8443/x") << QStringLiteral("https://h:8443/x");
    QTest::newRow("no url") << QStringLiteral("user:password@host") << QStringLiteral("user:password@host");
}

void TestValidator::credentialsAreRedacted()
{
    QFETCH(QString, text);
    QFETCH(QString, redacted);
    QCOMPARE(CredentialRedaction::apply(text), redacted);
}

void TestValidator::branch_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("main") << QStringLiteral("main") << true;
    QTest::newRow("nested") << QStringLiteral("release/2.1") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("dotdot") << QStringLiteral("a..b") << false;
    QTest::newRow("space") << QStringLiteral("my branch") << false;
    QTest::newRow("tilde") << QStringLiteral("main~1") << false;
    QTest::newRow("lock") << QStringLiteral("main.lock") << false;
    QTest::newRow("leading dash") << QStringLiteral("-f") << false;
    QTest::newRow("reflog") << QStringLiteral("main@{1}") << false;
    // Found by fuzzing against libgit2: a part of a ref may not start with '.' or end with .lock.
    QTest::newRow("leading dot") << QStringLiteral(".hidden") << false;
    QTest::newRow("inner dot part") << QStringLiteral("release/.x") << false;
    QTest::newRow("inner lock part") << QStringLiteral("a.lock/b") << false;
    QTest::newRow("dot inside a part") << QStringLiteral("release/v1.2") << true;
}

void TestValidator::branch()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    QCOMPARE(!Validator::branch(value).has_value(), valid);
}

void TestValidator::freeText()
{
    QVERIFY(!Validator::freeText(QStringLiteral("运维组 Ops"), QStringLiteral("department"), 128, false));
    QVERIFY(Validator::freeText(QStringLiteral("a\nb"), QStringLiteral("owner"), 128, false));
    QVERIFY(!Validator::freeText(QStringLiteral("line 1\nline 2"), QStringLiteral("notes"), 128, true));
    QVERIFY(Validator::freeText(QStringLiteral("bell\a"), QStringLiteral("notes"), 128, true));
    const auto tooLong = Validator::freeText(QString(129, u'x'), QStringLiteral("owner"), 128, false);
    QVERIFY(tooLong);
    QVERIFY(tooLong->message.contains(QStringLiteral("129")));
}

void TestValidator::entityChecksNameEveryBadField()
{
    Server server;
    server.name = QStringLiteral("web 1");
    server.host = QStringLiteral("bad_host");
    server.port = 0;
    server.tags = {QStringLiteral("ok"), QStringLiteral("not ok")};
    QStringList fields;
    for (const Error &error : Validator::check(server))
        fields.append(error.field);
    QCOMPARE(fields, (QStringList{QStringLiteral("name"), QStringLiteral("host"), QStringLiteral("port"),
                                  QStringLiteral("tags")}));

    Environment environment;
    environment.name = QStringLiteral("prod");
    environment.deployRoot = QStringLiteral("/srv/shop");
    environment.projectId = 1;
    QVERIFY(Validator::check(environment).isEmpty());
    environment.parallelism = 0;
    environment.strategy = QStringLiteral("yolo");
    environment.serverIds = {3, 4, 3};
    environment.sharedPaths = {QStringLiteral("../x")};
    fields.clear();
    for (const Error &error : Validator::check(environment))
        fields.append(error.field);
    QCOMPARE(fields, (QStringList{QStringLiteral("sharedPaths"), QStringLiteral("parallelism"),
                                  QStringLiteral("strategy"), QStringLiteral("servers")}));

    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("https://git.example.com/shop.git");
    QVERIFY(Validator::check(project).isEmpty());
    project.keepReleases = 1;
    QCOMPARE(Validator::check(project).size(), 1);
    QCOMPARE(Validator::check(project).first().field, QStringLiteral("keepReleases"));

    SshKey key;
    key.name = QStringLiteral("deploy");
    key.username = QStringLiteral("deploy");
    key.kind = KeyKind::File;
    key.keyPath = QStringLiteral("id_ed25519");
    QCOMPARE(Validator::check(key).size(), 1);
    QCOMPARE(Validator::check(key).first().field, QStringLiteral("keyPath"));
    key.kind = KeyKind::Stored;
    QCOMPARE(Validator::check(key).first().field, QStringLiteral("privateKey"));
    key.kind = KeyKind::Agent;
    QVERIFY(Validator::check(key).isEmpty());

    HookTemplate hook;
    hook.title = QStringLiteral("  ");
    QCOMPARE(Validator::check(hook).size(), 2);
}

void TestValidator::combineListsEveryField()
{
    Server server;
    server.host = QStringLiteral("::::");
    server.port = 99999;
    const Error combined = Validator::combine(Validator::check(server));
    QVERIFY(combined.message.contains(QStringLiteral("name:")));
    QVERIFY(combined.message.contains(QStringLiteral("host:")));
    QVERIFY(combined.message.contains(QStringLiteral("port:")));
    QCOMPARE(combined.field, QStringLiteral("name"));
}

QTEST_GUILESS_MAIN(TestValidator)
#include "tst_validator.moc"
