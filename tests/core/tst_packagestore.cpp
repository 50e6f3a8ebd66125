#include "git/packagestore.h"
#include "git/packagewriter.h"
#include "git/zstdpackage.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

namespace {

// A small real package with `payload` as its one file.
PackageStore::Writer writerOf(const QByteArray &payload, const QString &project = QStringLiteral("shop"))
{
    return [payload, project](int fd, const QString &where) -> Result<PackageWriter::Summary> {
        PackageWriter writer;
        if (auto opened = writer.open(fd, where, {1700000000, 1}); !opened)
            return std::unexpected(opened.error());
        if (auto added = writer.addFile("payload.bin", false, payload); !added)
            return std::unexpected(added.error());
        PackageManifest manifest;
        manifest.project = project;
        manifest.commit = QString(40, u'a');
        return writer.finish(manifest);
    };
}

QByteArray noise(int size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    quint32 x = seed | 1;
    for (char &c : bytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = char(x);
    }
    return bytes;
}

} // namespace

class TestPackageStore : public QObject
{
    Q_OBJECT

private slots:
    void addsListsAndFinds();
    void failedWriteLeavesNothing();
    void prunesByCountAndSize();
    void pruneRemovesOrphans();
    void parsesSizes();
};

void TestPackageStore::addsListsAndFinds()
{
    QTemporaryDir dir;
    PackageStore store(dir.filePath(QStringLiteral("packages")));
    auto missing = store.find(QStringLiteral("shop-a"));
    QVERIFY(missing && !missing->has_value());

    auto added = store.add(QStringLiteral("shop-a"), writerOf("hello"));
    QVERIFY2(added, qPrintable(added ? QString() : added.error().text()));
    QCOMPARE(added->path, store.directory() + QStringLiteral("/shop-a.tar.gz"));
    QCOMPARE(added->size, QFileInfo(added->path).size());
    QCOMPARE(added->manifest.fileCount, 1);

    // The recorded sha256 is that of the file on disk, as the upload will check it.
    QProcess sha;
    sha.start(QStringLiteral("sha256sum"), {added->path});
    QVERIFY(sha.waitForFinished());
    QCOMPARE(QString::fromLatin1(sha.readAllStandardOutput().left(64)), added->sha256);

    auto found = store.find(QStringLiteral("shop-a"));
    QVERIFY(found && found->has_value());
    QCOMPARE((*found)->sha256, added->sha256);
    QCOMPARE((*found)->manifest.project, QStringLiteral("shop"));

    QVERIFY(store.add(QStringLiteral("shop-b"), writerOf("world")));
    auto listed = store.list();
    QVERIFY(listed);
    QCOMPARE(listed->size(), 2);
    QVERIFY(listed->at(0).created >= listed->at(1).created);

    // Only packages and their records are in the store: no temporary files stay behind.
    QCOMPARE(QDir(store.directory()).entryList(QDir::Files | QDir::Hidden).size(), 4);
}

void TestPackageStore::failedWriteLeavesNothing()
{
    QTemporaryDir dir;
    PackageStore store(dir.filePath(QStringLiteral("packages")));
    const auto failed = store.add(QStringLiteral("shop-x"), [](int fd, const QString &where) -> Result<PackageWriter::Summary> {
        PackageWriter writer;
        if (auto opened = writer.open(fd, where, {}); !opened)
            return std::unexpected(opened.error());
        if (auto added = writer.addFile("half.bin", false, QByteArray(1 << 20, 'x')); !added)
            return std::unexpected(added.error());
        return fail(QStringLiteral("the disk went away"));
    });
    QVERIFY(!failed);
    QVERIFY(failed.error().message.contains(QStringLiteral("the disk went away")));
    QVERIFY(failed.error().hint.contains(QStringLiteral("prune")));
    QCOMPARE(QDir(store.directory()).entryList(QDir::Files | QDir::Hidden), QStringList());
    auto listed = store.list();
    QVERIFY(listed && listed->isEmpty());
}

void TestPackageStore::prunesByCountAndSize()
{
    QTemporaryDir dir;
    PackageStore store(dir.filePath(QStringLiteral("packages")));
    QList<StoredPackage> added;
    for (int i = 0; i < 5; ++i) {
        auto package = store.add(QStringLiteral("shop-%1").arg(i), writerOf(noise(100000, quint32(i + 1))));
        QVERIFY(package);
        added.append(*package);
    }
    // Creation times have one-second resolution: make the order explicit through the records.
    auto listed = store.list();
    QVERIFY(listed);
    QCOMPARE(listed->size(), 5);

    auto byCount = store.prune({3, -1});
    QVERIFY(byCount);
    QCOMPARE(byCount->kept, 3);
    QCOMPARE(byCount->removed.size(), 2);
    QCOMPARE(store.list()->size(), 3);
    for (const StoredPackage &gone : byCount->removed)
        QVERIFY(!QFile::exists(gone.path));

    const qint64 one = added.first().size;
    auto bySize = store.prune({-1, one + one / 2});
    QVERIFY(bySize);
    QCOMPARE(bySize->kept, 1);
    QCOMPARE(store.list()->size(), 1);
    QVERIFY(bySize->freedBytes >= 2 * one - 1000);

    // The zstd copy made beside a package counts against the size limit too.
    auto second = store.add(QStringLiteral("shop-9"), writerOf(noise(100000, 9)));
    QVERIFY(second);
    const auto both = store.list();
    QVERIFY(both);
    QCOMPARE(both->size(), 2);
    for (const StoredPackage &package : *both) {
        QFile copy(ZstdPackage::pathFor(package.path));
        QVERIFY(copy.open(QIODevice::WriteOnly));
        QCOMPARE(copy.write(noise(int(one), 7)), one);
    }
    auto withCopies = store.prune({-1, 3 * one + one / 2});
    QVERIFY(withCopies);
    QCOMPARE(withCopies->kept, 1);
    QCOMPARE(withCopies->removed.size(), 1);
    QVERIFY(!QFile::exists(ZstdPackage::pathFor(withCopies->removed.first().path)));
    QVERIFY(withCopies->freedBytes >= 2 * one - 1000);

    auto none = store.prune({0, -1});
    QVERIFY(none);
    QCOMPARE(store.list()->size(), 0);
    QCOMPARE(QDir(store.directory()).entryList(QDir::Files | QDir::Hidden), QStringList());
}

void TestPackageStore::pruneRemovesOrphans()
{
    QTemporaryDir dir;
    PackageStore store(dir.filePath(QStringLiteral("packages")));
    auto package = store.add(QStringLiteral("shop-a"), writerOf("a"));
    QVERIFY(package);
    QFile orphan(store.directory() + QStringLiteral("/shop-orphan.tar.gz"));
    QVERIFY(orphan.open(QIODevice::WriteOnly));
    orphan.write("half");
    orphan.close();
    // A record whose package is shorter than recorded is not listed.
    QVERIFY(store.add(QStringLiteral("shop-cut"), writerOf(noise(50000, 7))));
    QFile cut(store.directory() + QStringLiteral("/shop-cut.tar.gz"));
    QVERIFY(cut.resize(100));
    QCOMPARE(store.list()->size(), 1);

    auto report = store.prune({10, -1});
    QVERIFY(report);
    QCOMPARE(report->kept, 1);
    QCOMPARE(QDir(store.directory()).entryList(QDir::Files | QDir::Hidden),
             (QStringList{QStringLiteral("shop-a.json"), QStringLiteral("shop-a.tar.gz")}));
}

void TestPackageStore::parsesSizes()
{
    QCOMPARE(PackageStore::parseSize(QStringLiteral("1024")), 1024);
    QCOMPARE(PackageStore::parseSize(QStringLiteral("500M")), 500LL << 20);
    QCOMPARE(PackageStore::parseSize(QStringLiteral("2g")), 2LL << 30);
    QCOMPARE(PackageStore::parseSize(QStringLiteral("3KiB")), 3LL << 10);
    QCOMPARE(PackageStore::parseSize(QStringLiteral("lots")), -1);
    QCOMPARE(PackageStore::parseSize(QStringLiteral("-5")), -1);
}

QTEST_GUILESS_MAIN(TestPackageStore)
#include "tst_packagestore.moc"
