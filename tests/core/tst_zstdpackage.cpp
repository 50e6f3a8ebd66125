#include "git/zstdpackage.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

class TestZstdPackage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void holdsTheSameTar();
    void isMadeOnce();
    void explainsAMissingPackage();

private:
    QByteArray run(const QString &shellCommand);

    QTemporaryDir m_dir;
    QString m_package;
};

QByteArray TestZstdPackage::run(const QString &shellCommand)
{
    QProcess process;
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), shellCommand});
    process.waitForFinished(-1);
    if (process.exitCode() != 0)
        qWarning("%s failed: %s", qPrintable(shellCommand), process.readAllStandardError().constData());
    return process.readAllStandardOutput();
}

void TestZstdPackage::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString tree = m_dir.filePath(QStringLiteral("tree"));
    QVERIFY(QDir().mkpath(tree + QStringLiteral("/app/sub dir")));
    for (int i = 0; i < 50; ++i) {
        QFile file(tree + QStringLiteral("/app/sub dir/file %1.txt").arg(i));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("line of file ") + QByteArray::number(i) + '\n');
    }
    QVERIFY(QFile::link(QStringLiteral("app"), tree + QStringLiteral("/link")));
    m_package = m_dir.filePath(QStringLiteral("app-v1.tar.gz"));
    QCOMPARE(QProcess::execute(QStringLiteral("tar"),
                               {QStringLiteral("-czf"), m_package, QStringLiteral("-C"), tree, QStringLiteral(".")}),
             0);
}

void TestZstdPackage::holdsTheSameTar()
{
    auto copy = ZstdPackage::ensure(m_package);
    QVERIFY2(copy, copy ? "" : qPrintable(copy.error().text()));
    QCOMPARE(copy->path, m_dir.filePath(QStringLiteral("app-v1.tar.zst")));
    // zstd itself reads it, and finds the very tar that gzip finds in the package.
    const QByteArray fromZstd = run(QStringLiteral("zstd -dc '%1'").arg(copy->path));
    const QByteArray fromGzip = run(QStringLiteral("gzip -dc '%1'").arg(m_package));
    QVERIFY(fromGzip.size() > 10240);
    QCOMPARE(fromZstd, fromGzip);
    QFile file(copy->path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(copy->sha256, QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex()));
    // Only the copy is left beside the package: no temporary file.
    QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden),
             (QStringList{QStringLiteral("app-v1.tar.gz"), QStringLiteral("app-v1.tar.zst")}));
}

void TestZstdPackage::isMadeOnce()
{
    auto first = ZstdPackage::ensure(m_package);
    QVERIFY(first);
    const QDateTime made = QFileInfo(first->path).lastModified();
    QTest::qWait(20);
    auto again = ZstdPackage::ensure(m_package);
    QVERIFY(again);
    QCOMPARE(again->sha256, first->sha256);
    QCOMPARE(QFileInfo(again->path).lastModified(), made);
}

void TestZstdPackage::explainsAMissingPackage()
{
    const QString missing = m_dir.filePath(QStringLiteral("gone.tar.gz"));
    auto copy = ZstdPackage::ensure(missing);
    QVERIFY(!copy);
    QVERIFY2(copy.error().message.contains(missing), qPrintable(copy.error().message));
    QVERIFY(!QFileInfo::exists(ZstdPackage::pathFor(missing)));
}

QTEST_GUILESS_MAIN(TestZstdPackage)
#include "tst_zstdpackage.moc"
