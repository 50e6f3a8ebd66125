#include "git/gitchanges.h"
#include "git/gitlibrary.h"
#include "git/gitrefs.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

namespace {

constexpr qint64 BaseTime = 1700000000;
constexpr int MainCommits = 300;

// Runs git with a fixed identity and no user or system configuration, so object ids are the same on every
// run.
QByteArray git(const QString &directory, const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    process.setWorkingDirectory(directory);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    environment.insert(QStringLiteral("HOME"), directory);
    environment.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("Tester"));
    environment.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("tester@example.com"));
    environment.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("Tester"));
    environment.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("tester@example.com"));
    environment.insert(QStringLiteral("GIT_AUTHOR_DATE"), QStringLiteral("1700000000 +0000"));
    environment.insert(QStringLiteral("GIT_COMMITTER_DATE"), QStringLiteral("1700000000 +0000"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("git"), arguments);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        qFatal("git %s failed: %s", qPrintable(arguments.join(u' ')),
               process.readAllStandardError().constData());
    return process.readAllStandardOutput().trimmed();
}

QByteArray data(const QByteArray &text)
{
    return "data " + QByteArray::number(text.size()) + '\n' + text + '\n';
}

QByteArray commitRecord(const QByteArray &ref, int mark, const QByteArray &author, qint64 time,
                        const QByteArray &zone, const QByteArray &subject, const QByteArray &content,
                        const QByteArray &from = {})
{
    const QByteArray stamp = QByteArray::number(time) + ' ' + zone;
    return "commit " + ref + "\nmark :" + QByteArray::number(mark) + "\nauthor " + author + ' ' + stamp +
           "\ncommitter " + author + ' ' + stamp + '\n' + data(subject + "\n\nBody of " + subject) +
           (from.isEmpty() ? QByteArray() : "from " + from + '\n') + "M 100644 inline counter.txt\n" +
           data(content);
}

} // namespace

class TestGitRefs : public QObject
{
    Q_OBJECT

private:
    GitLibrary m_git;
    QTemporaryDir m_dir;
    QString m_repo;

    QString revParse(const QString &spec)
    {
        return QString::fromLatin1(git(m_repo, {QStringLiteral("rev-parse"), spec}));
    }

private slots:
    void initTestCase();
    void opensOnlyRepositories();
    void listsBranches();
    void listsTagsWithTheirDates();
    void listsLatestCommits();
    void resolvesRefsAndIds();
    void reportsMissingAndAmbiguousRefs();
    void listsCommitsAndFilesBetweenCommits();
};

// main: 300 commits a minute apart in +01:00; feature/login: two later commits off the 100th;
// release-1.0 at the 200th with the annotated tag v1.0 (tagged a day later); v0.9 lightweight at the 150th.
void TestGitRefs::initTestCase()
{
    QVERIFY(m_git.ok());
    QVERIFY(m_dir.isValid());
    m_repo = m_dir.filePath(QStringLiteral("repo.git"));
    git(m_dir.path(), {QStringLiteral("init"), QStringLiteral("--bare"), QStringLiteral("-q"),
                       QStringLiteral("-b"), QStringLiteral("main"), m_repo});
    QByteArray stream;
    for (int i = 1; i <= MainCommits; ++i)
        stream += commitRecord("refs/heads/main", i, QByteArrayLiteral("Zoë Ünal <zoe@example.com>"),
                               BaseTime + i * 60, "+0100", "Change " + QByteArray::number(i),
                               "counter " + QByteArray::number(i) + '\n');
    stream += commitRecord("refs/heads/feature/login", 1001, "Bob <bob@example.com>", BaseTime + 100000,
                           "+0000", "Login form", "login 1\n", ":100");
    stream += commitRecord("refs/heads/feature/login", 1002, "Bob <bob@example.com>", BaseTime + 100060,
                           "+0000", "Login check", "login 2\n");
    stream += "reset refs/heads/release-1.0\nfrom :200\n\n";
    stream += "tag v1.0\nfrom :200\ntagger Carol <carol@example.com> " +
              QByteArray::number(BaseTime + 86400) + " +0200\n" + data("Release 1.0\n\nThe first one.");
    stream += "reset refs/tags/v0.9\nfrom :150\n\n";
    git(m_repo, {QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
}

void TestGitRefs::opensOnlyRepositories()
{
    auto missing = GitRefs::open(m_dir.filePath(QStringLiteral("nothing-here.git")));
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("nothing-here.git")),
             qPrintable(missing.error().message));
    QVERIFY(!missing.error().hint.isEmpty());

    auto refs = GitRefs::open(m_repo);
    QVERIFY2(refs, refs ? "" : qPrintable(refs.error().text()));
}

void TestGitRefs::listsBranches()
{
    auto refs = GitRefs::open(m_repo);
    QVERIFY(refs);
    auto branches = refs->branches();
    QVERIFY2(branches, branches ? "" : qPrintable(branches.error().text()));
    QCOMPARE(branches->size(), 3);
    QCOMPARE(branches->at(0).name, QStringLiteral("feature/login"));
    QCOMPARE(branches->at(1).name, QStringLiteral("main"));
    QCOMPARE(branches->at(2).name, QStringLiteral("release-1.0"));
    QCOMPARE(branches->at(0).commitId, revParse(QStringLiteral("feature/login")));
    QCOMPARE(branches->at(0).subject, QStringLiteral("Login check"));
    QCOMPARE(branches->at(1).commitId, revParse(QStringLiteral("main")));
    QCOMPARE(branches->at(1).date.toSecsSinceEpoch(), BaseTime + MainCommits * 60);
    QCOMPARE(branches->at(1).date.offsetFromUtc(), 3600);
    QCOMPARE(branches->at(2).commitId, revParse(QStringLiteral("main~100")));
}

void TestGitRefs::listsTagsWithTheirDates()
{
    auto refs = GitRefs::open(m_repo);
    QVERIFY(refs);
    auto tags = refs->tags();
    QVERIFY2(tags, tags ? "" : qPrintable(tags.error().text()));
    QCOMPARE(tags->size(), 2);

    const TagInfo &annotated = tags->at(0); // tagged a day after the start: newer than the 150th commit
    QCOMPARE(annotated.name, QStringLiteral("v1.0"));
    QVERIFY(annotated.annotated);
    QCOMPARE(annotated.commitId, revParse(QStringLiteral("v1.0^{commit}")));
    QVERIFY(annotated.commitId != revParse(QStringLiteral("v1.0"))); // the tag object is not the commit
    QCOMPARE(annotated.date.toSecsSinceEpoch(), BaseTime + 86400);
    QCOMPARE(annotated.date.offsetFromUtc(), 7200);
    QCOMPARE(annotated.message, QStringLiteral("Release 1.0"));

    const TagInfo &lightweight = tags->at(1);
    QCOMPARE(lightweight.name, QStringLiteral("v0.9"));
    QVERIFY(!lightweight.annotated);
    QCOMPARE(lightweight.commitId, revParse(QStringLiteral("main~150")));
    QCOMPARE(lightweight.date.toSecsSinceEpoch(), BaseTime + 150 * 60);
    QVERIFY(lightweight.message.isEmpty());
}

void TestGitRefs::listsLatestCommits()
{
    auto refs = GitRefs::open(m_repo);
    QVERIFY(refs);
    auto latest = refs->commits(QStringLiteral("main"), 10);
    QVERIFY2(latest, latest ? "" : qPrintable(latest.error().text()));
    QCOMPARE(latest->size(), 10);
    for (int i = 0; i < 10; ++i) {
        const CommitInfo &commit = latest->at(i);
        QCOMPARE(commit.id, revParse(QStringLiteral("main~%1").arg(i)));
        QVERIFY(commit.id.startsWith(commit.shortId));
        QVERIFY(commit.shortId.size() >= 7);
        QCOMPARE(commit.subject, QStringLiteral("Change %1").arg(MainCommits - i));
        QCOMPARE(commit.author, QStringLiteral("Zoë Ünal"));
        QCOMPARE(commit.authorEmail, QStringLiteral("zoe@example.com"));
        QCOMPARE(commit.date.toSecsSinceEpoch(), BaseTime + (MainCommits - i) * 60);
    }

    auto feature = refs->commits(QStringLiteral("feature/login"), 4);
    QVERIFY(feature);
    QStringList subjects;
    for (const CommitInfo &commit : *feature)
        subjects.append(commit.subject);
    QCOMPARE(subjects, (QStringList{QStringLiteral("Login check"), QStringLiteral("Login form"),
                                    QStringLiteral("Change 100"), QStringLiteral("Change 99")}));

    auto all = refs->commits(QStringLiteral("v0.9"), 100000);
    QVERIFY(all);
    QCOMPARE(all->size(), 150);
    QVERIFY(!refs->commits(QStringLiteral("main"), 0));
}

void TestGitRefs::resolvesRefsAndIds()
{
    auto refs = GitRefs::open(m_repo);
    QVERIFY(refs);
    const QString head = revParse(QStringLiteral("main"));
    QCOMPARE(refs->resolve(QStringLiteral("main")).value_or(QString()), head);
    QCOMPARE(refs->resolve(QStringLiteral("refs/heads/main")).value_or(QString()), head);
    QCOMPARE(refs->resolve(QStringLiteral("v1.0")).value_or(QString()), revParse(QStringLiteral("main~100")));
    QCOMPARE(refs->resolve(QStringLiteral("v0.9")).value_or(QString()), revParse(QStringLiteral("main~150")));
    QCOMPARE(refs->resolve(QStringLiteral("feature/login")).value_or(QString()),
             revParse(QStringLiteral("feature/login")));
    QCOMPARE(refs->resolve(head).value_or(QString()), head);
    QCOMPARE(refs->resolve(head.left(12)).value_or(QString()), head);
    QCOMPARE(refs->resolve(head.toUpper()).value_or(QString()), head);

    auto commit = refs->commit(QStringLiteral("v1.0"));
    QVERIFY(commit);
    QCOMPARE(commit->subject, QStringLiteral("Change 200"));
}

void TestGitRefs::reportsMissingAndAmbiguousRefs()
{
    auto refs = GitRefs::open(m_repo);
    QVERIFY(refs);

    auto missing = refs->resolve(QStringLiteral("no-such-branch"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().field, QStringLiteral("ref"));
    QVERIFY2(missing.error().message.contains(QStringLiteral("\"no-such-branch\"")),
             qPrintable(missing.error().message));
    QVERIFY(!missing.error().hint.isEmpty());

    auto unknownId = refs->resolve(QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
    QVERIFY(!unknownId);
    QCOMPARE(unknownId.error().field, QStringLiteral("ref"));

    QVERIFY(!refs->resolve(QString()));
    QVERIFY(!refs->resolve(QStringLiteral("--all")));

    // A tree is an object but not a commit.
    const QString tree = revParse(QStringLiteral("main^{tree}"));
    auto notCommit = refs->resolve(tree);
    QVERIFY(!notCommit);
    QVERIFY2(notCommit.error().message.contains(QStringLiteral("not a commit")),
             qPrintable(notCommit.error().message));

    // Among the ~900 objects two share their first four hex digits; the object ids are fixed, so this is
    // stable.
    const QStringList objects =
        QString::fromLatin1(git(m_repo, {QStringLiteral("cat-file"), QStringLiteral("--batch-all-objects"),
                                         QStringLiteral("--batch-check=%(objectname)")}))
            .split(u'\n');
    QHash<QString, int> prefixes;
    QString ambiguous;
    for (const QString &object : objects) {
        if (++prefixes[object.left(4)] == 2) {
            ambiguous = object.left(4);
            break;
        }
    }
    QVERIFY2(!ambiguous.isEmpty(), "the fixture repository has no shared 4-digit prefix");
    auto twoMatches = refs->resolve(ambiguous);
    QVERIFY(!twoMatches);
    QCOMPARE(twoMatches.error().field, QStringLiteral("ref"));
    QVERIFY2(twoMatches.error().message.contains(QStringLiteral("more than one")),
             qPrintable(twoMatches.error().message));
    QVERIFY(twoMatches.error().hint.contains(QStringLiteral("more characters")));
}

void TestGitRefs::listsCommitsAndFilesBetweenCommits()
{
    const QString work = m_dir.filePath(QStringLiteral("work"));
    git(m_dir.path(),
        {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main"), work});
    auto write = [&](const QString &name, const QByteArray &content) {
        QFile file(QDir(work).filePath(name));
        QDir().mkpath(QFileInfo(file).absolutePath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    };
    QByteArray longText;
    for (int i = 0; i < 50; ++i)
        longText += "line " + QByteArray::number(i) + " of a file that moves\n";
    write(QStringLiteral("moves.txt"), longText);
    write(QStringLiteral("changes.txt"), "before\n");
    write(QStringLiteral("goes away.sh"), "echo bye\n");
    write(QStringLiteral("run.sh"), "echo run\n");
    git(work, {QStringLiteral("add"), QStringLiteral("-A")});
    git(work, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("Base")});
    const QString base =
        QString::fromLatin1(git(work, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}));

    QVERIFY(QDir(work).mkdir(QStringLiteral("docs")));
    git(work, {QStringLiteral("mv"), QStringLiteral("moves.txt"), QStringLiteral("docs/moved ✓.txt")});
    write(QStringLiteral("changes.txt"), "after\n");
    git(work, {QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("goes away.sh")});
    QVERIFY(QFile::setPermissions(QDir(work).filePath(QStringLiteral("run.sh")),
                                  QFile::permissions(QDir(work).filePath(QStringLiteral("run.sh"))) |
                                      QFileDevice::ExeOwner));
    git(work, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-am"),
               QStringLiteral("Move, change, delete")});
    write(QStringLiteral("new.txt"), "new\n");
    git(work, {QStringLiteral("add"), QStringLiteral("new.txt")});
    git(work,
        {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("Add new")});
    const QString target =
        QString::fromLatin1(git(work, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}));

    auto refs = GitRefs::open(work);
    QVERIFY(refs);
    auto changes = GitChanges::between(*refs, base.left(8), QStringLiteral("main"));
    QVERIFY2(changes, changes ? "" : qPrintable(changes.error().text()));
    QCOMPARE(changes->baseId, base);
    QCOMPARE(changes->targetId, target);
    QCOMPARE(changes->commitsAdded.size(), 2);
    QCOMPARE(changes->commitsAdded.at(0).subject, QStringLiteral("Add new"));
    QCOMPARE(changes->commitsAdded.at(1).subject, QStringLiteral("Move, change, delete"));
    QVERIFY(changes->commitsRemoved.isEmpty());
    QVERIFY(!changes->commitsTruncated);

    QStringList seen;
    for (const FileChange &file : changes->files)
        seen.append(FileChange::statusName(file.status) + u' ' + file.path +
                    (file.oldPath.isEmpty() ? QString() : QStringLiteral(" <- ") + file.oldPath) +
                    QStringLiteral(" %1>%2").arg(file.oldMode, 0, 8).arg(file.newMode, 0, 8));
    QCOMPARE(seen, (QStringList{QStringLiteral("modified changes.txt 100644>100644"),
                                QStringLiteral("renamed docs/moved ✓.txt <- moves.txt 100644>100644"),
                                QStringLiteral("deleted goes away.sh 100644>0"),
                                QStringLiteral("added new.txt 0>100644"),
                                QStringLiteral("modified run.sh 100644>100755")}));
    QCOMPARE(changes->files.at(1).similarity, 100);

    // Going back: the same commits are taken back, nothing goes out.
    auto back = GitChanges::between(*refs, QStringLiteral("main"), base);
    QVERIFY(back);
    QVERIFY(back->commitsAdded.isEmpty());
    QCOMPARE(back->commitsRemoved.size(), 2);
    QCOMPARE(back->files.size(), 5);

    auto limited = GitChanges::between(*refs, base, QStringLiteral("main"), 1);
    QVERIFY(limited);
    QCOMPARE(limited->commitsAdded.size(), 1);
    QVERIFY(limited->commitsTruncated);

    auto same = GitChanges::between(*refs, QStringLiteral("main"), target);
    QVERIFY(same);
    QVERIFY(same->files.isEmpty());
    QVERIFY(same->commitsAdded.isEmpty());

    auto missing = GitChanges::between(*refs, base, QStringLiteral("nope"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().field, QStringLiteral("ref"));
}

QTEST_GUILESS_MAIN(TestGitRefs)
#include "tst_gitrefs.moc"
