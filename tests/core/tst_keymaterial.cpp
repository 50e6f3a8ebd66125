#include "inventory/keymaterial.h"

#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace rd;

namespace {

struct KeySpec
{
    QString name;
    QStringList keygenArgs;
    QByteArray passphrase;
    QString format;
    QString type;
};

struct MadeKey
{
    KeySpec spec;
    QByteArray text;
    QString publicLine;  // "type base64" as ssh-keygen -y prints it
    QString publicFile;  // the .pub file, comment included
    QString fingerprint; // as ssh-keygen -lf prints it
};

QByteArray run(const QString &program, const QStringList &args)
{
    QProcess process;
    process.start(program, args);
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0)
        return {};
    return process.readAllStandardOutput();
}

QString firstFields(const QByteArray &line, int count)
{
    return QString::fromLatin1(line).simplified().split(u' ').mid(0, count).join(u' ');
}

} // namespace

class TestKeyMaterial : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void inspect_data();
    void inspect();
    void fingerprintOfPublicKey_data();
    void fingerprintOfPublicKey();
    void missingPassphrase_data();
    void missingPassphrase();
    void wrongPassphrase_data();
    void wrongPassphrase();
    void craftedBcryptRoundsAreRefused();
    void opensshPublicPartWithoutPassphrase();
    void opensshPassphraseOnADesktop();
    void ed25519Pkcs8FromOpenSsl();
    void damagedOpenSsh();
    void publicKeyPastedInstead();
    void garbage_data();
    void garbage();
    void badPublicKeyLines_data();
    void badPublicKeyLines();

private:
    void addRows(bool (*keep)(const KeySpec &));

    QTemporaryDir m_dir;
    QList<MadeKey> m_keys;
};

void TestKeyMaterial::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QByteArray pass = "correct horse battery";
    struct Kind
    {
        QString name;
        QStringList args;
        QString type;
    };
    const QList<Kind> kinds{
        {QStringLiteral("ed25519"),
         {QStringLiteral("-t"), QStringLiteral("ed25519")},
         QStringLiteral("ssh-ed25519")},
        {QStringLiteral("rsa2048"),
         {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("2048")},
         QStringLiteral("ssh-rsa")},
        {QStringLiteral("ecdsa256"),
         {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("256")},
         QStringLiteral("ecdsa-sha2-nistp256")},
        {QStringLiteral("ecdsa384"),
         {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("384")},
         QStringLiteral("ecdsa-sha2-nistp384")},
        {QStringLiteral("ecdsa521"),
         {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("521")},
         QStringLiteral("ecdsa-sha2-nistp521")},
    };
    const QList<QPair<QString, QString>> formats{{QStringLiteral("openssh"), QString()},
                                                 {QStringLiteral("pem"), QStringLiteral("PEM")},
                                                 {QStringLiteral("pkcs8"), QStringLiteral("PKCS8")}};
    for (const Kind &kind : kinds) {
        for (const auto &[format, mode] : formats) {
            // ssh-keygen writes Ed25519 only in its own format, whatever -m says.
            if (kind.type == u"ssh-ed25519" && !mode.isEmpty())
                continue;
            for (const QByteArray &passphrase : {QByteArray(), pass}) {
                KeySpec spec{
                    kind.name + u'-' + format +
                        (passphrase.isEmpty() ? QStringLiteral("-plain") : QStringLiteral("-protected")),
                    kind.args, passphrase, format, kind.type};
                const QString path = m_dir.filePath(spec.name);
                QStringList args = spec.keygenArgs;
                if (!mode.isEmpty())
                    args << QStringLiteral("-m") << mode;
                args << QStringLiteral("-q") << QStringLiteral("-N") << QString::fromLatin1(passphrase)
                     << QStringLiteral("-C") << QStringLiteral("test@releasedesk") << QStringLiteral("-f")
                     << path;
                QProcess keygen;
                keygen.start(QStringLiteral("ssh-keygen"), args);
                QVERIFY2(keygen.waitForFinished(120000) && keygen.exitCode() == 0, qPrintable(spec.name));

                MadeKey made{spec, {}, {}, {}, {}};
                QFile file(path);
                QVERIFY(file.open(QIODevice::ReadOnly));
                made.text = file.readAll();
                QFile pub(path + QStringLiteral(".pub"));
                QVERIFY(pub.open(QIODevice::ReadOnly));
                made.publicFile = QString::fromLatin1(pub.readAll()).trimmed();
                made.publicLine =
                    firstFields(run(QStringLiteral("ssh-keygen"),
                                    {QStringLiteral("-y"), QStringLiteral("-P"),
                                     QString::fromLatin1(passphrase), QStringLiteral("-f"), path}),
                                2);
                made.fingerprint = firstFields(run(QStringLiteral("ssh-keygen"),
                                                   {QStringLiteral("-lf"), path + QStringLiteral(".pub")}),
                                               2)
                                       .section(u' ', 1);
                QVERIFY2(made.publicLine.startsWith(spec.type + u' '), qPrintable(made.publicLine));
                QVERIFY2(made.fingerprint.startsWith(u"SHA256:"), qPrintable(made.fingerprint));
                m_keys.append(made);
            }
        }
    }
    QCOMPARE(m_keys.size(), 26);
}

void TestKeyMaterial::addRows(bool (*keep)(const KeySpec &))
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < m_keys.size(); ++i) {
        if (keep(m_keys[i].spec))
            QTest::newRow(qPrintable(m_keys[i].spec.name)) << i;
    }
}

void TestKeyMaterial::inspect_data()
{
    addRows([](const KeySpec &) { return true; });
}

void TestKeyMaterial::inspect()
{
    QFETCH(int, index);
    const MadeKey &key = m_keys[index];
    auto material = KeyMaterial::inspect(key.text, key.spec.passphrase);
    QVERIFY2(material, qPrintable(material ? QString() : material.error().text()));
    QCOMPARE(material->type, key.spec.type);
    QCOMPARE(material->publicKey, key.publicLine);
    QCOMPARE(material->fingerprint, key.fingerprint);
    QCOMPARE(material->encrypted, !key.spec.passphrase.isEmpty());
    QCOMPARE(material->format, key.spec.format);
}

void TestKeyMaterial::fingerprintOfPublicKey_data()
{
    addRows([](const KeySpec &) { return true; });
}

void TestKeyMaterial::fingerprintOfPublicKey()
{
    QFETCH(int, index);
    const MadeKey &key = m_keys[index];
    // The .pub line carries a comment; the bare "type base64" must give the same answer.
    for (const QString &line : {key.publicFile, key.publicLine}) {
        auto fingerprint = KeyMaterial::fingerprintOfPublicKey(line);
        QVERIFY2(fingerprint, qPrintable(fingerprint ? QString() : fingerprint.error().text()));
        QCOMPARE(*fingerprint, key.fingerprint);
    }
}

void TestKeyMaterial::missingPassphrase_data()
{
    addRows([](const KeySpec &spec) { return spec.format != u"openssh" && !spec.passphrase.isEmpty(); });
}

void TestKeyMaterial::missingPassphrase()
{
    QFETCH(int, index);
    auto material = KeyMaterial::inspect(m_keys[index].text);
    QVERIFY(!material);
    QCOMPARE(material.error().field, QStringLiteral("passphrase"));
    QVERIFY2(material.error().message.contains(u"passphrase"), qPrintable(material.error().message));
    QVERIFY(!material.error().hint.isEmpty());
}

void TestKeyMaterial::wrongPassphrase_data()
{
    // OpenSSH's own format too: its passphrase is checked by ssh-keygen (bcrypt_pbkdf).
    addRows([](const KeySpec &spec) { return !spec.passphrase.isEmpty(); });
}

void TestKeyMaterial::wrongPassphrase()
{
    QFETCH(int, index);
    auto material = KeyMaterial::inspect(m_keys[index].text, "not the passphrase");
    QVERIFY(!material);
    QCOMPARE(material.error().field, QStringLiteral("passphrase"));
    QVERIFY2(material.error().message.contains(u"wrong"), qPrintable(material.error().message));
}

// On a desktop (DISPLAY set, an askpass program configured) the passphrase still comes from us:
// ssh-keygen must not ask the askpass program, which here answers something else.
void TestKeyMaterial::opensshPassphraseOnADesktop()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString askpass = dir.filePath(QStringLiteral("askpass"));
    QFile script(askpass);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\necho not-the-passphrase\n");
    script.close();
    QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));
    const QByteArray display = qgetenv("DISPLAY");
    const QByteArray program = qgetenv("SSH_ASKPASS");
    qputenv("DISPLAY", ":4242");
    qputenv("SSH_ASKPASS", askpass.toLocal8Bit());
    const auto restore = qScopeGuard([&] {
        display.isNull() ? qunsetenv("DISPLAY") : qputenv("DISPLAY", display);
        program.isNull() ? qunsetenv("SSH_ASKPASS") : qputenv("SSH_ASKPASS", program);
    });
    int checked = 0;
    for (const MadeKey &key : std::as_const(m_keys)) {
        if (key.spec.format != u"openssh" || key.spec.passphrase.isEmpty())
            continue;
        auto material = KeyMaterial::inspect(key.text, key.spec.passphrase);
        QVERIFY2(material, qPrintable(key.spec.name + QStringLiteral(": ") + (material ? QString() : material.error().text())));
        QCOMPARE(material->publicKey, key.publicLine);
        ++checked;
    }
    QVERIFY(checked > 0);
}

void TestKeyMaterial::opensshPublicPartWithoutPassphrase()
{
    int checked = 0;
    for (const MadeKey &key : std::as_const(m_keys)) {
        if (key.spec.format != u"openssh" || key.spec.passphrase.isEmpty())
            continue;
        auto material = KeyMaterial::inspect(key.text);
        QVERIFY2(material, qPrintable(key.spec.name));
        QVERIFY(material->encrypted);
        QCOMPARE(material->publicKey, key.publicLine);
        QCOMPARE(material->fingerprint, key.fingerprint);
        ++checked;
    }
    QCOMPARE(checked, 5);
}

void TestKeyMaterial::ed25519Pkcs8FromOpenSsl()
{
    // ssh-keygen cannot write Ed25519 as PKCS#8, so OpenSSL's own tool makes one; its public key
    // in DER ends with the 32 raw bytes that the SSH blob must carry.
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty())
        QSKIP("the openssl command-line tool is not installed");
    const QString path = m_dir.filePath(QStringLiteral("ed25519-openssl.pem"));
    QVERIFY(QProcess::execute(openssl, {QStringLiteral("genpkey"), QStringLiteral("-algorithm"),
                                        QStringLiteral("ed25519"), QStringLiteral("-out"), path}) == 0);
    const QByteArray der =
        run(openssl, {QStringLiteral("pkey"), QStringLiteral("-in"), path, QStringLiteral("-pubout"),
                      QStringLiteral("-outform"), QStringLiteral("DER")});
    QCOMPARE(der.size(), 44);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    auto material = KeyMaterial::inspect(file.readAll());
    QVERIFY2(material, qPrintable(material ? QString() : material.error().text()));
    QCOMPARE(material->type, QStringLiteral("ssh-ed25519"));
    QCOMPARE(material->format, QStringLiteral("pkcs8"));
    QVERIFY(!material->encrypted);
    QByteArray blob =
        QByteArray::fromHex("0000000b") + "ssh-ed25519" + QByteArray::fromHex("00000020") + der.right(32);
    QCOMPARE(material->publicKey, QStringLiteral("ssh-ed25519 ") + QString::fromLatin1(blob.toBase64()));
    auto fingerprint = KeyMaterial::fingerprintOfPublicKey(material->publicKey);
    QVERIFY(fingerprint);
    QCOMPARE(*fingerprint, material->fingerprint);
}

void TestKeyMaterial::damagedOpenSsh()
{
    const QByteArray text = m_keys.first().text;
    QVERIFY(text.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
    const qsizetype end = text.indexOf("-----END");
    QVERIFY(end > 0);
    const QList<QByteArray> broken{text.left(end), text.left(60) + text.mid(end)};
    for (const QByteArray &damaged : broken) {
        auto material = KeyMaterial::inspect(damaged);
        QVERIFY(!material);
        QVERIFY2(material.error().message.contains(u"damaged"), qPrintable(material.error().message));
        QCOMPARE(material.error().field, QStringLiteral("privateKey"));
    }
}

void TestKeyMaterial::publicKeyPastedInstead()
{
    auto material = KeyMaterial::inspect(m_keys.first().publicFile.toLatin1());
    QVERIFY(!material);
    QVERIFY2(material.error().message.contains(u"public key"), qPrintable(material.error().message));
    QVERIFY(material.error().hint.contains(u".pub"));
}

void TestKeyMaterial::garbage_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("not a private key");
    QTest::newRow("prose") << QByteArray("hello, this is my key") << QStringLiteral("not a private key");
    QTest::newRow("binary") << QByteArray::fromHex("00ff10ab7f80") << QStringLiteral("not a private key");
    QTest::newRow("certificate") << QByteArray(
                                        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
                                 << QStringLiteral("not a private key");
    QTest::newRow("only the body")
        << QByteArray("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n")
        << QStringLiteral("not a private key");
}

void TestKeyMaterial::garbage()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, says);
    auto material = KeyMaterial::inspect(text);
    QVERIFY(!material);
    QVERIFY2(material.error().message.contains(says), qPrintable(material.error().message));
    QVERIFY2(material.error().hint.contains(u"BEGIN"), qPrintable(material.error().hint));
    QCOMPARE(material.error().field, QStringLiteral("privateKey"));
}

void TestKeyMaterial::badPublicKeyLines_data()
{
    QTest::addColumn<QString>("line");
    QTest::newRow("empty") << QString();
    QTest::newRow("type only") << QStringLiteral("ssh-ed25519");
    QTest::newRow("bad base64") << QStringLiteral("ssh-ed25519 !!!notbase64");
    // A valid Ed25519 blob announced as RSA.
    QTest::newRow("type mismatch") << QStringLiteral(
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIDCDYlLUlm4tYG3214+8nNm7m3pze5aue6/M3O7ug1wq");
    QTest::newRow("truncated blob") << QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCDYlLU");
}

void TestKeyMaterial::badPublicKeyLines()
{
    QFETCH(QString, line);
    auto fingerprint = KeyMaterial::fingerprintOfPublicKey(line);
    QVERIFY(!fingerprint);
    QCOMPARE(fingerprint.error().field, QStringLiteral("publicKey"));
    QVERIFY(!fingerprint.error().hint.isEmpty());
}

// The rounds come from the file; a check must not run for hours. The count is patched into a real
// protected key, as a crafted file would carry it.
void TestKeyMaterial::craftedBcryptRoundsAreRefused()
{
    const auto key = std::find_if(m_keys.cbegin(), m_keys.cend(), [](const MadeKey &made) {
        return made.spec.format == u"openssh" && !made.spec.passphrase.isEmpty();
    });
    QVERIFY(key != m_keys.cend());
    const QList<QByteArray> lines = key->text.trimmed().split('\n');
    QByteArray body = QByteArray::fromBase64(lines.mid(1, lines.size() - 2).join());
    // "openssh-key-v1\0", cipher, kdf ("bcrypt"), kdf options (salt string, then the rounds).
    qsizetype at = 15;
    const auto skipString = [&body, &at] { at += 4 + qFromBigEndian<quint32>(body.constData() + at); };
    skipString();
    skipString();
    skipString(); // its last four bytes are the rounds
    QCOMPARE(qFromBigEndian<quint32>(body.constData() + at - 4), quint32(16)); // ssh-keygen's default
    qToBigEndian<quint32>(4000000000u, body.data() + at - 4);
    const QByteArray crafted = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body.toBase64() +
                               "\n-----END OPENSSH PRIVATE KEY-----\n";
    auto refused = KeyMaterial::inspect(crafted, key->spec.passphrase);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("4000000000 bcrypt rounds")),
             qPrintable(refused.error().message));
    QVERIFY(refused.error().hint.contains(QStringLiteral("ssh-keygen -p")));
}

QTEST_GUILESS_MAIN(TestKeyMaterial)
#include "tst_keymaterial.moc"
