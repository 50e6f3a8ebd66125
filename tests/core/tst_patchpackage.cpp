#include "git/gitlibrary.h"
#include "git/gitrefs.h"
#include "git/packagebuilder.h"
#include "git/packagestore.h"
#include "git/patchpackage.h"

#include "gitfixture.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace rd;
using rd::test::GitFixture;

class TestPatchPackage : public QObject
{
    Q_OBJECT

private:
    GitLibrary m_git;
    QTemporaryDir m_dir;
    QString m_base;
    QString m_target;
    std::optional<GitRefs> m_refs;
    std::optional<PackageStore> m_store;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    StoredPackage full(const QString &ref)
    {
        PackageRequest request;
        request.project = QStringLiteral("shop");
        request.ref = ref;
        auto built = PackageBuilder(*m_refs, *m_store, path(QStringLiteral("work"))).build(request);
        if (!built)
            qFatal("full package of %s: %s", qPrintable(ref), qPrintable(built.error().text()));
        return built->package;
    }

private slots:
    void initTestCase();
    void appliedPatchEqualsTarget();
    void samePatchIsCachedAndEmptyPatchIsEmpty();
    void sharedPathsAreNeverTouched();
};

void TestPatchPackage::initTestCase()
{
    QVERIFY(m_git.ok());
    QVERIFY(m_dir.isValid());
    qputenv("LC_ALL", "C.UTF-8");
    GitFixture repo(path(QStringLiteral("repo")));
    QVERIFY(repo.init());
    QByteArray story;
    for (int i = 0; i < 200; ++i)
        story += "line " + QByteArray::number(i) + " of a file long enough for rename detection\n";
    QVERIFY(repo.write(QStringLiteral("keep.txt"), "keep\n"));
    QVERIFY(repo.write(QStringLiteral("modify.txt"), "v1\n"));
    QVERIFY(repo.write(QStringLiteral("delete.txt"), "bye\n"));
    QVERIFY(repo.write(QStringLiteral("rename-me.txt"), story));
    QVERIFY(repo.write(QStringLiteral("script.sh"), "#!/bin/sh\n"));
    QVERIFY(repo.symlink(QStringLiteral("link"), QStringLiteral("keep.txt")));
    QVERIFY(repo.write(QStringLiteral("typechange"), "a file first\n"));
    QVERIFY(repo.write(QStringLiteral("old/a.txt"), "a\n"));
    QVERIFY(repo.write(QStringLiteral("old/deeper/b.txt"), "b\n"));
    QVERIFY(repo.write(QStringLiteral("conf"), "a file that becomes a directory\n"));
    QVERIFY(repo.write(QStringLiteral("dir2/y.txt"), "a directory that becomes a file\n"));
    QVERIFY(repo.write(QStringLiteral("ünï code.txt"), "unchanged\n"));
    QVERIFY(repo.write(QStringLiteral(".gitattributes"), "*.secret export-ignore\n/internal export-ignore\n"));
    QVERIFY(repo.write(QStringLiteral("base.secret"), "s1\n"));
    m_base = repo.commit(QStringLiteral("base"));
    QVERIFY(!m_base.isEmpty());

    QVERIFY(repo.write(QStringLiteral("modify.txt"), "v2\n"));
    QVERIFY(repo.write(QStringLiteral("new/deep/file.txt"), "new\n"));
    QVERIFY(repo.remove(QStringLiteral("delete.txt")));
    QVERIFY(repo.move(QStringLiteral("rename-me.txt"), QStringLiteral("moved/renamed.txt")));
    QVERIFY(repo.setExecutable(QStringLiteral("script.sh"), true));
    QVERIFY(repo.symlink(QStringLiteral("link"), QStringLiteral("modify.txt")));
    QVERIFY(repo.remove(QStringLiteral("typechange")));
    QVERIFY(repo.symlink(QStringLiteral("typechange"), QStringLiteral("keep.txt")));
    QVERIFY(repo.remove(QStringLiteral("old")));
    QVERIFY(repo.remove(QStringLiteral("conf")));
    QVERIFY(repo.write(QStringLiteral("conf/x.txt"), "inside\n"));
    QVERIFY(repo.remove(QStringLiteral("dir2")));
    QVERIFY(repo.write(QStringLiteral("dir2"), "now a file\n"));
    QVERIFY(repo.write(QStringLiteral("nouveau fichier é.txt"), "bonjour\n"));
    QVERIFY(repo.write(QStringLiteral("target.secret"), "s2\n"));
    QVERIFY(repo.write(QStringLiteral("internal/notes.txt"), "not shipped\n"));
    QVERIFY(repo.remove(QStringLiteral("base.secret")));
    m_target = repo.commit(QStringLiteral("target"));
    QVERIFY(!m_target.isEmpty());

    const QString mirror = path(QStringLiteral("mirror.git"));
    QVERIFY(repo.cloneBare(mirror));
    auto refs = GitRefs::open(mirror);
    QVERIFY(refs);
    m_refs.emplace(std::move(*refs));
    m_store.emplace(path(QStringLiteral("store")));
}

void TestPatchPackage::appliedPatchEqualsTarget()
{
    const StoredPackage base = full(m_base);
    const StoredPackage target = full(m_target);
    PatchRequest request;
    request.project = QStringLiteral("shop");
    request.baseRef = m_base;
    request.targetRef = m_target;
    auto patch = PatchPackage::build(*m_refs, *m_store, request);
    QVERIFY2(patch, qPrintable(patch ? QString() : patch.error().text()));
    const PackageManifest &manifest = patch->package.manifest;
    QCOMPARE(manifest.kind, PackageManifest::Kind::Patch);
    QCOMPARE(manifest.baseCommit, m_base);
    QCOMPARE(manifest.commit, m_target);
    // Only the topmost path of what goes: a deleted folder is named once, not with its files.
    QCOMPARE(manifest.deleted, (QStringList{QStringLiteral("conf"), QStringLiteral("delete.txt"), QStringLiteral("dir2"),
                                            QStringLiteral("old"), QStringLiteral("rename-me.txt"),
                                            QStringLiteral("typechange")}));
    QVERIFY(!manifest.deleted.contains(QStringLiteral("base.secret"))); // never shipped, so never deleted
    // modify, new file, renamed, mode change, symlink retarget, file->symlink, conf/x.txt, dir2, unicode name.
    QCOMPARE(manifest.fileCount, 9);

    // Apply as a server would: delete, then unpack over the base.
    const QString server = path(QStringLiteral("server"));
    QVERIFY(rd::test::extract(base.path, server));
    for (const QString &deleted : manifest.deleted) {
        const QString where = server + u'/' + deleted;
        QVERIFY2(QFileInfo(where).isDir() && !QFileInfo(where).isSymLink() ? QDir(where).removeRecursively()
                                                                           : QFile::remove(where),
                 qPrintable(deleted));
    }
    QByteArray output;
    QVERIFY2(rd::test::extract(patch->package.path, server, &output), output.constData());

    const QString expected = path(QStringLiteral("expected"));
    QVERIFY(rd::test::extract(target.path, expected));
    const auto want = rd::test::snapshot(expected, {PackageManifest::fileName()});
    QCOMPARE(rd::test::snapshot(server, {PackageManifest::fileName()}), want);
    QCOMPARE(want.value(QStringLiteral("typechange")), QStringLiteral("l -> keep.txt"));
    QCOMPARE(want.value(QStringLiteral("link")), QStringLiteral("l -> modify.txt"));
    QVERIFY(want.value(QStringLiteral("script.sh")).startsWith(QStringLiteral("f 0755 ")));
    QVERIFY(!want.contains(QStringLiteral("target.secret")));
    QVERIFY(!want.contains(QStringLiteral("internal/notes.txt")));
    QVERIFY(manifest.fileCount < target.manifest.fileCount);
}

void TestPatchPackage::samePatchIsCachedAndEmptyPatchIsEmpty()
{
    PatchRequest request;
    request.project = QStringLiteral("shop");
    request.baseRef = m_base;
    request.targetRef = QStringLiteral("main");
    auto again = PatchPackage::build(*m_refs, *m_store, request);
    QVERIFY(again);
    QVERIFY(again->cached);

    request.baseRef = m_target;
    auto empty = PatchPackage::build(*m_refs, *m_store, request);
    QVERIFY(empty);
    QCOMPARE(empty->package.manifest.fileCount, 0);
    QVERIFY(empty->package.manifest.deleted.isEmpty());

    request.baseRef = QStringLiteral("no-such-ref");
    auto missing = PatchPackage::build(*m_refs, *m_store, request);
    QVERIFY(!missing);
    QCOMPARE(missing.error().field, QStringLiteral("ref"));
}

// The servers keep their own copy of what lies in a shared path: a patch neither ships nor deletes
// anything there, and says so; a tree with a symlink at or above a shared path is refused.
void TestPatchPackage::sharedPathsAreNeverTouched()
{
    PatchRequest request;
    request.project = QStringLiteral("shop");
    request.baseRef = m_base;
    request.targetRef = m_target;
    request.sharedPaths = {QStringLiteral("modify.txt"), QStringLiteral("new"), QStringLiteral("old/deeper")};
    auto patch = PatchPackage::build(*m_refs, *m_store, request);
    QVERIFY2(patch, qPrintable(patch ? QString() : patch.error().text()));
    QVERIFY(!patch->cached); // the shared paths are part of what the patch is
    const QString warnings = patch->warnings.join(u'\n');
    QVERIFY2(warnings.contains(QStringLiteral("modify.txt")) && warnings.contains(QStringLiteral("new/deep/file.txt")),
             qPrintable(warnings));
    const QString unpacked = path(QStringLiteral("shared-patch"));
    QVERIFY(rd::test::extract(patch->package.path, unpacked));
    const auto shipped = rd::test::snapshot(unpacked, {PackageManifest::fileName()});
    QVERIFY(!shipped.contains(QStringLiteral("modify.txt")));
    QVERIFY(!shipped.contains(QStringLiteral("new")));
    QVERIFY(shipped.contains(QStringLiteral("moved/renamed.txt")));
    QCOMPARE(patch->package.manifest.fileCount, 7);
    // "old" goes whole (its shared link with it, made again when the release is finished).
    QVERIFY(patch->package.manifest.deleted.contains(QStringLiteral("old")));

    for (const QString &shared : {QStringLiteral("link/logs"), QStringLiteral("typechange"), QStringLiteral("dir2/x")}) {
        request.sharedPaths = {shared};
        auto refused = PatchPackage::build(*m_refs, *m_store, request);
        QVERIFY2(!refused, qPrintable(shared));
        QCOMPARE(refused.error().field, QStringLiteral("sharedPaths"));
        QVERIFY2(refused.error().message.contains(shared.section(u'/', 0, 0)), qPrintable(refused.error().message));
    }
}

QTEST_GUILESS_MAIN(TestPatchPackage)
#include "tst_patchpackage.moc"
