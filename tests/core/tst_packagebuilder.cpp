#include "git/gitlibrary.h"
#include "git/gitrefs.h"
#include "git/commitfiles.h"
#include "git/packagebuilder.h"
#include "git/packagestore.h"

#include "gitfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <optional>

using namespace rd;
using rd::test::GitFixture;

namespace {

QByteArray noise(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    quint32 x = 2463534242u;
    for (char &c : bytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = char(x);
    }
    return bytes;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The payload digest recomputed from an extracted tree, by the definition in packagemanifest.h.
QString payloadOf(const QString &directory)
{
    const QMap<QString, QString> tree = rd::test::snapshot(directory, {PackageManifest::fileName()}, false);
    QList<QByteArray> paths;
    for (const QString &path : tree.keys())
        paths.append(path.toUtf8());
    std::sort(paths.begin(), paths.end());
    PackageManifest::PayloadDigest digest;
    for (const QByteArray &path : paths) {
        const QString what = tree.value(QString::fromUtf8(path));
        if (what.startsWith(u'l'))
            digest.addSymlink(path, what.mid(5).toUtf8());
        else
            digest.addFile(path, what.mid(2, 4).toInt(nullptr, 8), QByteArray::fromHex(what.mid(7).toLatin1()));
    }
    return digest.result();
}

} // namespace

class TestPackageBuilder : public QObject
{
    Q_OBJECT

private:
    GitLibrary m_git;
    QTemporaryDir m_dir;
    QString m_work;
    QString m_mirror;
    QString m_commit;
    QString m_bigCommit;
    std::optional<GitRefs> m_refs;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase();
    void matchesGitArchive();
    void sameCommitGivesSameBytes();
    void missingCommitSaysToFetch();
    void hookBuildsInAWorkDirectory();
    void failingHookLeavesNoPackage();
    void fullStoreLeavesNoHalfPackage();
    void hostileTreesAreRefused_data();
    void hostileTreesAreRefused();
    void colonNamesStayInTheWorkFolder();
    void commandLine();
};

void TestPackageBuilder::initTestCase()
{
    QVERIFY(m_git.ok());
    QVERIFY(m_dir.isValid());
    // GNU tar turns the archives' UTF-8 names into the locale's encoding.
    qputenv("LC_ALL", "C.UTF-8");

    GitFixture library(path(QStringLiteral("library")));
    QVERIFY(library.init());
    QVERIFY(library.write(QStringLiteral("lib.c"), "int lib;\n"));
    QVERIFY(!library.commit(QStringLiteral("library")).isEmpty());

    m_work = path(QStringLiteral("work"));
    GitFixture repo(m_work);
    QVERIFY(repo.init());
    QVERIFY(repo.write(QStringLiteral("README.md"), "# Shop\n"));
    QVERIFY(repo.write(QStringLiteral("src/main.c"), "int main() { return 0; }\n"));
    QVERIFY(repo.write(QStringLiteral("bin/deploy.sh"), "#!/bin/sh\necho deploy\n", true));
    QVERIFY(repo.write(QStringLiteral("empty.txt"), ""));
    QVERIFY(repo.symlink(QStringLiteral("current"), QStringLiteral("src")));
    QVERIFY(repo.symlink(QStringLiteral("bin/readme"), QStringLiteral("../README.md")));
    QVERIFY(repo.write(QStringLiteral("données/été.txt"), "chaud\n"));
    QVERIFY(repo.write(QStringLiteral("with space/a file.txt"), "spaced\n"));
    QVERIFY(repo.write(QStringLiteral(".gitattributes"), "/tests export-ignore\n*.secret export-ignore\n"));
    QVERIFY(repo.write(QStringLiteral("tests/unit.txt"), "not shipped\n"));
    QVERIFY(repo.write(QStringLiteral("config/db.secret"), "password\n"));
    QVERIFY(repo.write(QStringLiteral("config/app.ini"), "[app]\n"));
    QVERIFY2(repo.addSubmodule(library.path(), QStringLiteral("vendor/lib")), qPrintable(repo.lastError()));
    m_commit = repo.commit(QStringLiteral("first release"));
    QVERIFY(!m_commit.isEmpty());
    QVERIFY(repo.tag(QStringLiteral("v1.0"), QStringLiteral("Version 1.0")));

    QVERIFY(repo.branch(QStringLiteral("big")));
    QVERIFY(repo.switchTo(QStringLiteral("big")));
    QVERIFY(repo.write(QStringLiteral("big.bin"), noise(3 << 20)));
    m_bigCommit = repo.commit(QStringLiteral("a large file"));
    QVERIFY(!m_bigCommit.isEmpty());
    QVERIFY(repo.switchTo(QStringLiteral("main")));

    // The mirror's remote points nowhere: building must not need it.
    m_mirror = path(QStringLiteral("mirror.git"));
    QVERIFY(repo.cloneBare(m_mirror));
    QVERIFY(repo.git({QStringLiteral("remote"), QStringLiteral("set-url"), QStringLiteral("origin"),
                      QStringLiteral("https://192.0.2.1/unreachable.git")},
                     m_mirror));
    auto refs = GitRefs::open(m_mirror);
    QVERIFY(refs);
    m_refs.emplace(std::move(*refs));
}

void TestPackageBuilder::matchesGitArchive()
{
    PackageStore store(path(QStringLiteral("store-archive")));
    PackageRequest request;
    request.project = QStringLiteral("shop");
    request.ref = QStringLiteral("v1.0");
    request.version = QStringLiteral("shop-v1-20240101000000");
    auto built = PackageBuilder(*m_refs, store, path(QStringLiteral("work-dirs"))).build(request);
    QVERIFY2(built, qPrintable(built ? QString() : built.error().text()));
    QVERIFY(!built->cached);
    QCOMPARE(built->warnings.size(), 1);
    QVERIFY(built->warnings.first().contains(QStringLiteral("vendor/lib")));

    const QString ours = path(QStringLiteral("ours"));
    QVERIFY(rd::test::extract(built->package.path, ours));
    GitFixture mirror(m_mirror);
    const QString theirsTar = path(QStringLiteral("theirs.tar"));
    QVERIFY(mirror.git({QStringLiteral("-c"), QStringLiteral("tar.umask=022"), QStringLiteral("archive"),
                        QStringLiteral("--format=tar"), QStringLiteral("-o"), theirsTar, m_commit}));
    const QString theirs = path(QStringLiteral("theirs"));
    QVERIFY(rd::test::extract(theirsTar, theirs));

    const auto tree = rd::test::snapshot(ours, {PackageManifest::fileName()}, false);
    QCOMPARE(tree, rd::test::snapshot(theirs, {}, false));
    QCOMPARE(tree.value(QStringLiteral("current")), QStringLiteral("l -> src"));
    QCOMPARE(tree.value(QStringLiteral("bin/readme")), QStringLiteral("l -> ../README.md"));
    QVERIFY(tree.value(QStringLiteral("bin/deploy.sh")).startsWith(QStringLiteral("f 0755 ")));
    QVERIFY(tree.value(QStringLiteral("README.md")).startsWith(QStringLiteral("f 0644 ")));
    QVERIFY(tree.contains(QStringLiteral("données/été.txt")));
    QVERIFY(tree.contains(QStringLiteral("with space/a file.txt")));
    QVERIFY(tree.contains(QStringLiteral("config/app.ini")));
    QVERIFY(!tree.contains(QStringLiteral("config/db.secret")));
    QVERIFY(!QFileInfo::exists(ours + QStringLiteral("/tests")));
    QVERIFY(!QFileInfo::exists(ours + QStringLiteral("/vendor/lib")));
    for (const QString &what : rd::test::snapshot(ours))
        QVERIFY(what.startsWith(u'd') ? what == u"d 0755" : true);

    auto manifest = PackageManifest::fromJson(readFile(ours + u'/' + PackageManifest::fileName()));
    QVERIFY(manifest);
    QCOMPARE(manifest->project, QStringLiteral("shop"));
    QCOMPARE(manifest->commit, m_commit);
    QCOMPARE(manifest->ref, QStringLiteral("v1.0"));
    QCOMPARE(manifest->version, QStringLiteral("shop-v1-20240101000000"));
    QCOMPARE(manifest->fileCount, tree.size());
    QCOMPARE(manifest->payloadSha256, payloadOf(ours));
    QCOMPARE(built->package.manifest.payloadSha256, manifest->payloadSha256);
}

void TestPackageBuilder::sameCommitGivesSameBytes()
{
    PackageRequest request;
    request.project = QStringLiteral("shop");
    request.ref = m_commit;
    PackageStore first(path(QStringLiteral("store-1")));
    PackageStore second(path(QStringLiteral("store-2")));
    auto a = PackageBuilder(*m_refs, first, path(QStringLiteral("work-dirs"))).build(request);
    auto b = PackageBuilder(*m_refs, second, path(QStringLiteral("work-dirs"))).build(request);
    QVERIFY(a && b);
    QVERIFY(!a->cached && !b->cached);
    QCOMPARE(a->package.key, b->package.key);
    QCOMPARE(a->package.sha256, b->package.sha256);
    // The store key is the commit, whatever ref named it.
    request.ref = QStringLiteral("main");
    auto c = PackageBuilder(*m_refs, second, path(QStringLiteral("work-dirs"))).build(request);
    QVERIFY(c);
    QVERIFY(c->cached);
    QCOMPARE(c->package.sha256, b->package.sha256);
    QCOMPARE(readFile(a->package.path), readFile(b->package.path));
    QCOMPARE(readFile(a->package.path).size(), a->package.size);
}

void TestPackageBuilder::missingCommitSaysToFetch()
{
    PackageStore store(path(QStringLiteral("store-missing")));
    PackageRequest request;
    request.project = QStringLiteral("shop");
    for (const QString &ref : {QStringLiteral("0123456789abcdef0123456789abcdef01234567"), QStringLiteral("release/9")}) {
        request.ref = ref;
        auto built = PackageBuilder(*m_refs, store, path(QStringLiteral("work-dirs"))).build(request);
        QVERIFY(!built);
        QCOMPARE(built.error().field, QStringLiteral("ref"));
        QVERIFY2(built.error().hint.contains(QStringLiteral("fetch")), qPrintable(built.error().text()));
    }
    QVERIFY(!QFileInfo::exists(store.directory()) || QDir(store.directory()).isEmpty());
}

void TestPackageBuilder::hookBuildsInAWorkDirectory()
{
    PackageStore store(path(QStringLiteral("store-hook")));
    const QString workRoot = path(QStringLiteral("work-hook"));
    PackageRequest request;
    request.project = QStringLiteral("shop");
    request.ref = QStringLiteral("v1.0");
    request.environment = QStringLiteral("prod");
    request.version = QStringLiteral("shop-v2-20240101000000");
    request.excludes = {QStringLiteral("node_modules"), QStringLiteral("*.log")};
    request.hookScript = QStringLiteral(
        "set -e\n"
        "test -f tests/unit.txt\n" // the checkout is complete: a build may need export-ignored files
        "mkdir -p dist node_modules/left-pad\n"
        "cat src/main.c > dist/app.c\n"
        "echo junk > node_modules/left-pad/index.js\n"
        "echo noise > build.log\n"
        "ln -s dist/app.c app\n"
        "printf '%s\\n' \"$RD_PROJECT\" \"$RD_ENV\" \"$RD_COMMIT\" \"$RD_REF\" \"$RD_STAGE\" > dist/env.txt\n"
        "echo built\n");
    QStringList lines;
    request.onHookLine = [&](const QString &line, bool) { lines.append(line); };
    auto built = PackageBuilder(*m_refs, store, workRoot).build(request);
    QVERIFY2(built, qPrintable(built ? QString() : built.error().text()));
    QCOMPARE(lines, QStringList{QStringLiteral("built")});
    QVERIFY(!built->package.manifest.hookSha256.isEmpty());
    QCOMPARE(QDir(workRoot).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());

    const QString out = path(QStringLiteral("hook-out"));
    QVERIFY(rd::test::extract(built->package.path, out));
    const auto tree = rd::test::snapshot(out, {PackageManifest::fileName()}, false);
    QVERIFY(tree.contains(QStringLiteral("dist/app.c")));
    QCOMPARE(tree.value(QStringLiteral("app")), QStringLiteral("l -> dist/app.c"));
    QVERIFY(tree.value(QStringLiteral("bin/deploy.sh")).startsWith(QStringLiteral("f 0755 ")));
    QVERIFY(!QFileInfo::exists(out + QStringLiteral("/node_modules")));
    QVERIFY(!tree.contains(QStringLiteral("build.log")));
    QVERIFY(!tree.contains(QStringLiteral("tests/unit.txt")));
    QVERIFY(!tree.contains(QStringLiteral("config/db.secret")));
    QCOMPARE(QString::fromUtf8(readFile(out + QStringLiteral("/dist/env.txt"))).split(u'\n', Qt::SkipEmptyParts),
             (QStringList{QStringLiteral("shop"), QStringLiteral("prod"), m_commit, QStringLiteral("v1.0"),
                          QStringLiteral("after-download")}));
    auto manifest = PackageManifest::fromJson(readFile(out + u'/' + PackageManifest::fileName()));
    QVERIFY(manifest);
    QCOMPARE(manifest->payloadSha256, payloadOf(out));

    // Same hook: reused; another hook: another package.
    auto again = PackageBuilder(*m_refs, store, workRoot).build(request);
    QVERIFY(again && again->cached);
    request.hookScript += QStringLiteral("echo changed\n");
    auto other = PackageBuilder(*m_refs, store, workRoot).build(request);
    QVERIFY(other && !other->cached);
    QVERIFY(other->package.key != built->package.key);
}

void TestPackageBuilder::failingHookLeavesNoPackage()
{
    PackageStore store(path(QStringLiteral("store-failing")));
    const QString workRoot = path(QStringLiteral("work-failing"));
    PackageRequest request;
    request.project = QStringLiteral("shop");
    request.ref = QStringLiteral("main");
    request.hookScript = QStringLiteral("echo compiling\necho 'error: left-pad not found' >&2\nexit 7\n");
    auto built = PackageBuilder(*m_refs, store, workRoot).build(request);
    QVERIFY(!built);
    QVERIFY2(built.error().message.contains(QStringLiteral("exit code 7")), qPrintable(built.error().message));
    QVERIFY(built.error().hint.contains(QStringLiteral("error: left-pad not found")));
    QVERIFY(built.error().hint.contains(QStringLiteral("compiling")));
    auto listed = store.list();
    QVERIFY(listed && listed->isEmpty());
    QVERIFY(!QFileInfo::exists(store.directory()) || QDir(store.directory()).isEmpty());
    QCOMPARE(QDir(workRoot).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
}

void TestPackageBuilder::fullStoreLeavesNoHalfPackage()
{
    const QString mountPoint = path(QStringLiteral("tiny"));
    QVERIFY(QDir().mkpath(mountPoint));
    QByteArray output;
    if (!rd::test::run(QStringLiteral("mount"),
                       {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"), QStringLiteral("size=1m"),
                        QStringLiteral("tmpfs"), mountPoint},
                       &output))
        QSKIP(qPrintable(QStringLiteral("Mounting a 1 MB tmpfs is not permitted here (%1); the full-disk case "
                                        "needs root or CAP_SYS_ADMIN.")
                             .arg(QString::fromLocal8Bit(output.trimmed()))));
    struct Unmount
    {
        QString point;
        ~Unmount() { rd::test::run(QStringLiteral("umount"), {point}); }
    } unmount{mountPoint};

    PackageStore store(mountPoint);
    PackageRequest request;
    request.project = QStringLiteral("shop");
    request.ref = m_bigCommit;
    auto built = PackageBuilder(*m_refs, store, path(QStringLiteral("work-dirs"))).build(request);
    QVERIFY(!built);
    QVERIFY2(built.error().message.contains(QStringLiteral("No space left on device")), qPrintable(built.error().text()));
    QVERIFY(built.error().hint.contains(QStringLiteral("prune")));
    QCOMPARE(QDir(mountPoint).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());

    // The small package still fits, whole.
    request.ref = m_commit;
    auto small = PackageBuilder(*m_refs, store, path(QStringLiteral("work-dirs"))).build(request);
    QVERIFY2(small, qPrintable(small ? QString() : small.error().text()));
    QCOMPARE(QFileInfo(small->package.path).size(), small->package.size);
}

void TestPackageBuilder::hostileTreesAreRefused_data()
{
    // What `git hash-object -t tree --literally` writes, entry by entry: mode, name, what it holds.
    QTest::addColumn<QString>("entries"); // "mode name kind" per line; kind: blob, link or dir (a tree of escaped.txt)
    QTest::addColumn<QString>("hostile");
    QTest::newRow("..") << QStringLiteral("40000 .. dir") << QStringLiteral("..");
    QTest::newRow(".") << QStringLiteral("40000 . dir") << QStringLiteral(".");
    QTest::newRow(".GIT") << QStringLiteral("40000 .GIT dir") << QStringLiteral(".GIT");
    QTest::newRow(".git as a file") << QStringLiteral("100644 .git blob") << QStringLiteral(".git");
    QTest::newRow("a symlink, then a folder of the same name")
        << QStringLiteral("120000 a link\n40000 a dir") << QStringLiteral("a");
}

// A crafted tree never becomes paths: package, patch and hook checkout all read a commit through
// CommitFiles, which names the commit and the entry, and nothing is written outside the work folder.
void TestPackageBuilder::hostileTreesAreRefused()
{
    QFETCH(QString, entries);
    QFETCH(QString, hostile);
    const QString root = path(QStringLiteral("hostile-") + QString::number(QTest::currentDataTag()[0]) +
                              QString::number(qHash(hostile)));
    GitFixture repo(root + QStringLiteral("/repo"));
    QVERIFY(repo.init());
    auto object = [&](const QString &type, const QByteArray &content) -> QByteArray {
        const QString file = root + QStringLiteral("/object");
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size())
            return {};
        out.close();
        const auto id = repo.git({QStringLiteral("hash-object"), QStringLiteral("-t"), type, QStringLiteral("--literally"),
                                  QStringLiteral("-w"), file});
        return id ? QByteArray::fromHex(id->trimmed()) : QByteArray();
    };
    const QByteArray blob = object(QStringLiteral("blob"), "escaped\n");
    const QByteArray link = object(QStringLiteral("blob"), "/tmp");
    const QByteArray dir = object(QStringLiteral("tree"), "100644 escaped.txt" + QByteArray(1, '\0') + blob);
    QVERIFY(blob.size() == 20 && link.size() == 20 && dir.size() == 20);
    QByteArray tree;
    for (const QString &line : entries.split(u'\n')) {
        const QStringList parts = line.split(u' ');
        const QByteArray id = parts[2] == u"dir" ? dir : parts[2] == u"link" ? link : blob;
        tree += parts[0].toLatin1() + ' ' + parts[1].toUtf8() + '\0' + id;
    }
    const QByteArray treeId = object(QStringLiteral("tree"), tree);
    QCOMPARE(treeId.size(), 20);
    const auto commit = repo.git({QStringLiteral("commit-tree"), QString::fromLatin1(treeId.toHex()), QStringLiteral("-m"),
                                  QStringLiteral("crafted")});
    QVERIFY2(commit, qPrintable(repo.lastError()));
    const QString commitId = QString::fromLatin1(commit->trimmed());
    auto refs = GitRefs::open(repo.path());
    QVERIFY(refs);

    auto files = CommitFiles::read(refs->repository(), commitId);
    QVERIFY(!files);
    QCOMPARE(files.error().field, QStringLiteral("ref"));
    QVERIFY2(files.error().message.contains(commitId.left(12)) &&
                 files.error().message.contains(QStringLiteral("\"%1").arg(hostile)),
             qPrintable(files.error().message));

    PackageStore store(root + QStringLiteral("/store"));
    PackageRequest request;
    request.project = QStringLiteral("evil");
    request.ref = commitId;
    request.hookScript = QStringLiteral("true");
    auto built = PackageBuilder(*refs, store, root + QStringLiteral("/work/inner")).build(request);
    QVERIFY(!built);
    QVERIFY(!QFileInfo::exists(root + QStringLiteral("/work/escaped.txt")));
    QVERIFY(!QFileInfo::exists(root + QStringLiteral("/escaped.txt")));
    request.hookScript.clear();
    QVERIFY(!PackageBuilder(*refs, store, root + QStringLiteral("/work/inner")).build(request));
    QVERIFY(store.list() && store.list()->isEmpty());
}

// Found by fuzzing: Qt takes a path that starts with ':' for a resource, an absolute path, so a
// checkout once wrote a top-level ":name" into the current directory instead of the work folder.
void TestPackageBuilder::colonNamesStayInTheWorkFolder()
{
    GitFixture repo(path(QStringLiteral("colons")));
    QVERIFY(repo.init());
    QVERIFY(repo.write(QStringLiteral(":config"), "colon\n"));
    QVERIFY(repo.symlink(QStringLiteral(":link"), QStringLiteral("../../escape")));
    QVERIFY(repo.write(QStringLiteral(":dir/inner.txt"), "inner\n"));
    const QString commit = repo.commit(QStringLiteral("colons"));
    QVERIFY(!commit.isEmpty());
    auto refs = GitRefs::open(repo.path());
    QVERIFY(refs);

    const QString current = path(QStringLiteral("colons-cwd"));
    QVERIFY(QDir().mkpath(current));
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(current));
    PackageStore store(path(QStringLiteral("store-colons")));
    PackageRequest request;
    request.project = QStringLiteral("colons");
    request.ref = commit;
    request.environment = QStringLiteral("prod");
    request.version = QStringLiteral("colons-v1-20240101000000");
    request.hookScript = QStringLiteral("set -e\ntest \"$(cat ./:config)\" = colon\ntest -L ./:link\n"
                                        "test -f ./:dir/inner.txt\n");
    auto built = PackageBuilder(*refs, store, path(QStringLiteral("work-colons"))).build(request);
    QVERIFY(QDir::setCurrent(before));
    QVERIFY2(built, qPrintable(built ? QString() : built.error().text()));
    QCOMPARE(QDir(current).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System),
             QStringList());
}

void TestPackageBuilder::commandLine()
{
    const QString data = path(QStringLiteral("cli-data"));
    auto cli = [&](const QStringList &arguments, QByteArray *out = nullptr) {
        QProcess process;
        process.start(QStringLiteral(RELEASEDESK_CLI), QStringList{QStringLiteral("--data-dir"), data} + arguments);
        process.waitForFinished(-1);
        if (out)
            *out = process.readAllStandardOutput();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    };
    QCOMPARE(cli({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"), QStringLiteral("--git-url"),
                  QStringLiteral("https://192.0.2.1/unreachable.git")}),
             0);
    // No mirror yet: not found, with the fetch command as the way out.
    QCOMPARE(cli({QStringLiteral("package"), QStringLiteral("build"), QStringLiteral("shop"), QStringLiteral("v1.0"),
                  QStringLiteral("--offline")}),
             4);
    QVERIFY(GitFixture(m_work).cloneBare(data + QStringLiteral("/mirrors/shop.git")));

    QByteArray out;
    QCOMPARE(cli({QStringLiteral("--json"), QStringLiteral("package"), QStringLiteral("build"), QStringLiteral("shop"),
                  QStringLiteral("v1.0"), QStringLiteral("--offline")},
                 &out),
             0);
    QJsonObject built = QJsonDocument::fromJson(out).object();
    QCOMPARE(built.value(QStringLiteral("commit")).toString(), m_commit);
    QCOMPARE(built.value(QStringLiteral("cached")).toBool(), false);
    QVERIFY(QFileInfo::exists(built.value(QStringLiteral("path")).toString()));
    QCOMPARE(cli({QStringLiteral("--json"), QStringLiteral("package"), QStringLiteral("build"), QStringLiteral("shop"),
                  QStringLiteral("main"), QStringLiteral("--offline")},
                 &out),
             0);
    QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("cached")).toBool(), true);
    QCOMPARE(cli({QStringLiteral("package"), QStringLiteral("build"), QStringLiteral("shop"), QStringLiteral("nope"),
                  QStringLiteral("--offline")}),
             4);
    QCOMPARE(cli({QStringLiteral("--json"), QStringLiteral("package"), QStringLiteral("build"), QStringLiteral("shop"),
                  QStringLiteral("main"), QStringLiteral("--offline"), QStringLiteral("--base"), QStringLiteral("big")},
                 &out),
             0);
    QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("kind")).toString(), QStringLiteral("patch"));
    QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("deleted")).toArray().size(), 1);

    QCOMPARE(cli({QStringLiteral("--json"), QStringLiteral("package"), QStringLiteral("list")}, &out), 0);
    QCOMPARE(QJsonDocument::fromJson(out).array().size(), 2);
    QCOMPARE(cli({QStringLiteral("package"), QStringLiteral("prune")}), 2);
    QCOMPARE(cli({QStringLiteral("package"), QStringLiteral("prune"), QStringLiteral("--max-size"), QStringLiteral("lots")}), 3);
    QCOMPARE(cli({QStringLiteral("package"), QStringLiteral("prune"), QStringLiteral("--keep"), QStringLiteral("0")}), 0);
    QCOMPARE(cli({QStringLiteral("--json"), QStringLiteral("package"), QStringLiteral("list")}, &out), 0);
    QCOMPARE(QJsonDocument::fromJson(out).array().size(), 0);
}

QTEST_GUILESS_MAIN(TestPackageBuilder)
#include "tst_packagebuilder.moc"
