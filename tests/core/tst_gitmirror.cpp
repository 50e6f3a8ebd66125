#include "git/gitlibrary.h"
#include "git/gitmirror.h"
#include "git/gitrefs.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

namespace {

QProcessEnvironment gitEnvironment(const QString &home)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    environment.insert(QStringLiteral("HOME"), home);
    environment.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("Tester"));
    environment.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("tester@example.com"));
    environment.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("Tester"));
    environment.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("tester@example.com"));
    return environment;
}

// Processes (running or not yet reaped) whose parent is this test.
int childProcesses()
{
    int children = 0;
    const QByteArray self = QByteArray::number(QCoreApplication::applicationPid());
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!entry.front().isDigit() || !stat.open(QIODevice::ReadOnly))
            continue;
        // pid (comm) state ppid ...: comm may hold spaces, so count from its closing parenthesis.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields.at(1) == self)
            ++children;
    }
    return children;
}

QByteArray git(const QString &directory, const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    process.setWorkingDirectory(directory);
    process.setProcessEnvironment(gitEnvironment(directory));
    process.start(QStringLiteral("git"), arguments);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        qFatal("git %s failed: %s", qPrintable(arguments.join(u' ')),
               process.readAllStandardError().constData());
    return process.readAllStandardOutput().trimmed();
}

// `count` commits on `branch` through fast-import, continuing from the branch's tip when it exists.
void addCommits(const QString &repository, const QByteArray &branch, int count, int firstNumber)
{
    QProcess probe;
    probe.start(QStringLiteral("git"),
                {QStringLiteral("-C"), repository, QStringLiteral("rev-parse"), QStringLiteral("-q"),
                 QStringLiteral("--verify"), QString::fromLatin1(branch)});
    probe.waitForFinished(-1);
    const bool exists = probe.exitCode() == 0;
    QByteArray stream;
    for (int i = 0; i < count; ++i) {
        const int number = firstNumber + i;
        const QByteArray stamp = QByteArray::number(1700000000 + number * 60) + " +0000";
        const QByteArray message = "Commit " + QByteArray::number(number);
        const QByteArray content = "content of commit " + QByteArray::number(number) + '\n';
        stream += "commit " + branch + "\ncommitter Tester <tester@example.com> " + stamp + "\ndata " +
                  QByteArray::number(message.size()) + '\n' + message + '\n';
        if (i == 0 && exists)
            stream += "from " + branch + "^0\n";
        stream += "M 100644 inline files/file" + QByteArray::number(number % 50) + ".txt\ndata " +
                  QByteArray::number(content.size()) + '\n' + content + '\n';
    }
    git(repository, {QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
}

// Every ref with its target, as git itself sees it: what a mirror must equal.
QByteArray refsOf(const QString &repository)
{
    return git(repository,
               {QStringLiteral("for-each-ref"), QStringLiteral("--format=%(refname) %(objectname)")});
}

QString fileUrl(const QString &path)
{
    return QStringLiteral("file://") + path;
}

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
};

} // namespace

class TestGitMirror : public QObject
{
    Q_OBJECT

private:
    GitLibrary m_git;
    QTemporaryDir m_dir;

    // A bare source: 200 commits on main, branches release and old-feature, annotated v1 and lightweight v0.
    QString makeSource(const QString &name)
    {
        const QString path = m_dir.filePath(name);
        git(m_dir.path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"),
                           QStringLiteral("-b"), QStringLiteral("main"), path});
        addCommits(path, "refs/heads/main", 200, 1);
        git(path, {QStringLiteral("branch"), QStringLiteral("release"), QStringLiteral("main~50")});
        git(path, {QStringLiteral("branch"), QStringLiteral("old-feature"), QStringLiteral("main~10")});
        git(path, {QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v1"), QStringLiteral("-m"),
                   QStringLiteral("Release 1"), QStringLiteral("release")});
        git(path, {QStringLiteral("tag"), QStringLiteral("v0"), QStringLiteral("main~100")});
        return path;
    }

    CliRun cli(const QString &dataDir, const QStringList &arguments)
    {
        QProcess process;
        process.start(QStringLiteral(RELEASEDESK_CLI),
                      QStringList{QStringLiteral("--data-dir"), dataDir} + arguments);
        process.closeWriteChannel();
        process.waitForFinished(-1);
        return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
    }

private slots:
    void initTestCase() { QVERIFY(m_git.ok()); }
    void clonesThenFetchesAndPrunes();
    void followsAChangedUrl();
    void cancelsAFetch();
    void fetchesWithoutGitInstalled();
    void checksUrls();
    void explainsFailedFetches();
    void commandLine();
};

void TestGitMirror::clonesThenFetchesAndPrunes()
{
    const QString source = makeSource(QStringLiteral("clone-source.git"));
    const QString data = m_dir.filePath(QStringLiteral("clone-data"));
    const GitMirror mirror(GitMirror::pathFor(data, QStringLiteral("app")));
    QCOMPARE(mirror.path(), data + QStringLiteral("/mirrors/app.git"));
    QVERIFY(!mirror.exists());

    FetchOptions options;
    int progressCalls = 0;
    FetchProgress last;
    options.onProgress = [&](const FetchProgress &progress) {
        ++progressCalls;
        last = progress;
    };
    auto cloned = mirror.fetch(fileUrl(source), options);
    QVERIFY2(cloned, cloned ? "" : qPrintable(cloned.error().text()));
    QVERIFY(mirror.exists());
    QVERIFY(cloned->cloned);
    QCOMPARE(cloned->defaultBranch, QStringLiteral("main"));
    QCOMPARE(cloned->updates.size(), 5);
    for (const RefUpdate &update : cloned->updates) {
        QVERIFY(update.oldId.isEmpty());
        QCOMPARE(update.newId.size(), 40);
    }
    QCOMPARE(refsOf(mirror.path()), refsOf(source));
    QCOMPARE(git(mirror.path(), {QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}),
             QByteArray("refs/heads/main"));
    QVERIFY(progressCalls > 0);
    QVERIFY(last.totalObjects >= 600); // 200 commits, trees and blobs
    QCOMPARE(last.receivedObjects, last.totalObjects);
    QCOMPARE(cloned->transfer.totalObjects, last.totalObjects);
    QCOMPARE(git(mirror.path(), {QStringLiteral("fsck"), QStringLiteral("--no-progress")}), QByteArray());
    // Only the mirror is left in the data dir: the temporary clone was renamed into place.
    QCOMPARE(QDir(data + QStringLiteral("/mirrors")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("app.git")});

    // Upstream moves on: new commits, a new tag, a branch deleted.
    const QString oldMain =
        QString::fromLatin1(git(source, {QStringLiteral("rev-parse"), QStringLiteral("main")}));
    addCommits(source, "refs/heads/main", 3, 201);
    git(source, {QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v2"), QStringLiteral("-m"),
                 QStringLiteral("Release 2"), QStringLiteral("main")});
    git(source, {QStringLiteral("branch"), QStringLiteral("-D"), QStringLiteral("old-feature")});
    const QString newMain =
        QString::fromLatin1(git(source, {QStringLiteral("rev-parse"), QStringLiteral("main")}));

    auto fetched = mirror.fetch(fileUrl(source));
    QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().text()));
    QVERIFY(!fetched->cloned);
    QCOMPARE(refsOf(mirror.path()), refsOf(source));
    QHash<QString, RefUpdate> updates;
    for (const RefUpdate &update : fetched->updates)
        updates.insert(update.name, update);
    QCOMPARE(updates.size(), 3);
    QCOMPARE(updates[QStringLiteral("refs/heads/main")].oldId, oldMain);
    QCOMPARE(updates[QStringLiteral("refs/heads/main")].newId, newMain);
    QVERIFY(updates[QStringLiteral("refs/tags/v2")].oldId.isEmpty());
    QVERIFY(updates[QStringLiteral("refs/heads/old-feature")].newId.isEmpty());

    auto refs = GitRefs::open(mirror.path());
    QVERIFY(refs);
    QCOMPARE(refs->resolve(QStringLiteral("v2")).value_or(QString()), newMain);
    QCOMPARE(refs->commits(QStringLiteral("main"), 1).value().first().subject, QStringLiteral("Commit 203"));
    QVERIFY(!refs->resolve(QStringLiteral("old-feature")));

    auto again = mirror.fetch(fileUrl(source));
    QVERIFY(again);
    QVERIFY(again->updates.isEmpty());
}

void TestGitMirror::followsAChangedUrl()
{
    const QString source = makeSource(QStringLiteral("moving-source.git"));
    const GitMirror mirror(
        GitMirror::pathFor(m_dir.filePath(QStringLiteral("moving-data")), QStringLiteral("app")));
    QVERIFY(mirror.fetch(fileUrl(source)));

    // The repository moved: a copy with one more commit, given as a plain absolute path.
    const QString moved = m_dir.filePath(QStringLiteral("moved here.git"));
    git(m_dir.path(),
        {QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--mirror"), source, moved});
    addCommits(moved, "refs/heads/main", 1, 500);
    auto fetched = mirror.fetch(moved);
    QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().text()));
    QCOMPARE(refsOf(mirror.path()), refsOf(moved));
    QCOMPARE(git(mirror.path(), {QStringLiteral("config"), QStringLiteral("remote.origin.url")}),
             moved.toUtf8());
}

void TestGitMirror::cancelsAFetch()
{
    const QString source = makeSource(QStringLiteral("cancel-source.git"));
    const QString data = m_dir.filePath(QStringLiteral("cancel-data"));
    const GitMirror mirror(GitMirror::pathFor(data, QStringLiteral("app")));

    std::atomic_bool cancel{true};
    FetchOptions options;
    options.cancel = &cancel;
    auto before = mirror.fetch(fileUrl(source), options);
    QVERIFY(!before);
    QVERIFY2(before.error().message.contains(QStringLiteral("cancelled")),
             qPrintable(before.error().message));
    QVERIFY(!mirror.exists());

    // Cancelled as the first objects arrive: the first clone leaves nothing behind.
    cancel = false;
    int progressCalls = 0;
    options.onProgress = [&](const FetchProgress &) {
        ++progressCalls;
        cancel = true;
    };
    auto during = mirror.fetch(fileUrl(source), options);
    QVERIFY(!during);
    QVERIFY2(during.error().message.contains(QStringLiteral("cancelled")),
             qPrintable(during.error().message));
    QCOMPARE(progressCalls, 1);
    QVERIFY(!mirror.exists());
    QCOMPARE(childProcesses(), 0); // the upload-pack of the cancelled fetch was ended and reaped
    QVERIFY(
        QDir(data + QStringLiteral("/mirrors")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());

    // A cancelled update leaves the mirror's refs as they were, and the next fetch completes.
    QVERIFY(mirror.fetch(fileUrl(source)));
    const QByteArray refsBefore = refsOf(mirror.path());
    addCommits(source, "refs/heads/main", 20, 300);
    cancel = false;
    progressCalls = 0;
    auto update = mirror.fetch(fileUrl(source), options);
    QVERIFY(!update);
    QVERIFY(progressCalls >= 1);
    QCOMPARE(refsOf(mirror.path()), refsBefore);
    QVERIFY(mirror.fetch(fileUrl(source)));
    QCOMPARE(refsOf(mirror.path()), refsOf(source));
}

// A local repository is read through git's upload-pack when git is installed; without it, through
// libgit2's own local transport, with the same result.
void TestGitMirror::fetchesWithoutGitInstalled()
{
    const QString source = makeSource(QStringLiteral("no-git-source.git"));
    const GitMirror mirror(
        GitMirror::pathFor(m_dir.filePath(QStringLiteral("no-git-data")), QStringLiteral("app")));
    const QByteArray path = qgetenv("PATH");
    const QByteArray noGit = QFile::encodeName(m_dir.filePath(QStringLiteral("empty-bin")));
    qputenv("PATH", noGit);
    auto cloned = mirror.fetch(fileUrl(source));
    qputenv("PATH", path);
    addCommits(source, "refs/heads/main", 5, 700); // runs git
    qputenv("PATH", noGit);
    auto fetched = mirror.fetch(source);
    qputenv("PATH", path);
    QVERIFY2(cloned, cloned ? "" : qPrintable(cloned.error().text()));
    QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().text()));
    QCOMPARE(fetched->updates.size(), 1);
    QCOMPARE(refsOf(mirror.path()), refsOf(source));
}

void TestGitMirror::checksUrls()
{
    for (const char *good : {"https://example.com/team/app.git", "ssh://git@example.com:2222/team/app.git",
                             "git@example.com:team/app.git", "example.com:app.git", "file:///srv/git/app.git",
                             "/srv/git/app.git", "git://example.com/app.git", "ssh://git@[::1]:22/app.git"})
        QVERIFY2(GitMirror::checkUrl(QString::fromUtf8(good)), good);
    for (const char *bad : {"", "not a url", "relative/path.git", "ftp://example.com/app.git", "https://",
                            "https://example.com", " /srv/git/app.git", "app.git"}) {
        auto checked = GitMirror::checkUrl(QString::fromUtf8(bad));
        QVERIFY2(!checked, bad);
        QCOMPARE(checked.error().field, QStringLiteral("gitUrl"));
        QVERIFY(!checked.error().hint.isEmpty());
    }
}

void TestGitMirror::explainsFailedFetches()
{
    const QString data = m_dir.filePath(QStringLiteral("failing-data"));
    const GitMirror mirror(GitMirror::pathFor(data, QStringLiteral("app")));

    auto badUrl = mirror.fetch(QStringLiteral("ftp://example.com/app.git"));
    QVERIFY(!badUrl);
    QCOMPARE(badUrl.error().field, QStringLiteral("gitUrl"));

    const QString missing = m_dir.filePath(QStringLiteral("no-such-repo.git"));
    auto notThere = mirror.fetch(missing);
    QVERIFY(!notThere);
    QVERIFY2(notThere.error().message.contains(missing), qPrintable(notThere.error().message));
    QVERIFY2(notThere.error().hint.contains(QStringLiteral("not point to a git repository")),
             qPrintable(notThere.error().text()));

    const QString plainDir = m_dir.filePath(QStringLiteral("just-a-folder"));
    QVERIFY(QDir().mkpath(plainDir));
    auto notRepository = mirror.fetch(fileUrl(plainDir));
    QVERIFY(!notRepository);
    QVERIFY2(notRepository.error().hint.contains(QStringLiteral("not point to a git repository")),
             qPrintable(notRepository.error().text()));

    // Port 1 on loopback has no listener: refused at once.
    for (const QString &url : {QStringLiteral("https://127.0.0.1:1/team/app.git"),
                               QStringLiteral("ssh://git@127.0.0.1:1/team/app.git")}) {
        auto unreachable = mirror.fetch(url);
        QVERIFY(!unreachable);
        QVERIFY2(unreachable.error().hint.contains(QStringLiteral("could not be reached")),
                 qPrintable(unreachable.error().text()));
    }
    // http:// and git:// only with the project's consent; with it, the fetch goes out (and finds no one).
    for (const QString &url : {QStringLiteral("http://127.0.0.1:1/team/app.git"),
                               QStringLiteral("git://127.0.0.1:1/team/app.git")}) {
        auto refused = mirror.fetch(url);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("without authenticating")),
                 qPrintable(refused.error().text()));
        FetchOptions consent;
        consent.allowUnauthenticated = true;
        auto unreachable = mirror.fetch(url, consent);
        QVERIFY(!unreachable);
        QVERIFY2(unreachable.error().hint.contains(QStringLiteral("could not be reached")),
                 qPrintable(unreachable.error().text()));
    }
    QVERIFY(!mirror.exists());
    QVERIFY(
        QDir(data + QStringLiteral("/mirrors")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
}

void TestGitMirror::commandLine()
{
    const QString source = makeSource(QStringLiteral("cli-source.git"));
    const QString data = m_dir.filePath(QStringLiteral("cli-data"));
    QCOMPARE(cli(data, {QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("app"),
                        QStringLiteral("--git-url"), fileUrl(source)})
                 .exitCode,
             0);
    QCOMPARE(cli(data, {QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("gone"),
                        QStringLiteral("--git-url"), fileUrl(m_dir.filePath(QStringLiteral("gone.git")))})
                 .exitCode,
             0);

    // Before the first fetch there is nothing to read.
    const CliRun early =
        cli(data, {QStringLiteral("refs"), QStringLiteral("branches"), QStringLiteral("app")});
    QCOMPARE(early.exitCode, 4);
    QVERIFY2(early.err.contains("mirror fetch app"), early.err.constData());

    const CliRun fetched = cli(data, {QStringLiteral("--json"), QStringLiteral("mirror"),
                                      QStringLiteral("fetch"), QStringLiteral("app")});
    QVERIFY2(fetched.exitCode == 0, fetched.err.constData());
    QCOMPARE(fetched.json()[QStringLiteral("cloned")].toBool(), true);
    QCOMPARE(fetched.json()[QStringLiteral("updates")].toArray().size(), 5);

    const CliRun branches = cli(data, {QStringLiteral("--json"), QStringLiteral("refs"),
                                       QStringLiteral("branches"), QStringLiteral("app")});
    QCOMPARE(branches.exitCode, 0);
    QStringList names;
    for (const QJsonValue &row : branches.json().array())
        names.append(row[QStringLiteral("name")].toString());
    QCOMPARE(names,
             (QStringList{QStringLiteral("main"), QStringLiteral("old-feature"), QStringLiteral("release")}));

    const CliRun tags = cli(data, {QStringLiteral("--json"), QStringLiteral("refs"), QStringLiteral("tags"),
                                   QStringLiteral("app")});
    QCOMPARE(tags.exitCode, 0);
    QCOMPARE(tags.json().array().size(), 2);

    const CliRun commits =
        cli(data, {QStringLiteral("--json"), QStringLiteral("refs"), QStringLiteral("commits"),
                   QStringLiteral("app"), QStringLiteral("--limit"), QStringLiteral("3")});
    QCOMPARE(commits.exitCode, 0);
    QCOMPARE(commits.json().array().size(), 3);
    QCOMPARE(commits.json().array().at(0)[QStringLiteral("subject")].toString(),
             QStringLiteral("Commit 200"));

    const QString release =
        QString::fromLatin1(git(source, {QStringLiteral("rev-parse"), QStringLiteral("release")}));
    const CliRun resolved =
        cli(data, {QStringLiteral("--json"), QStringLiteral("refs"), QStringLiteral("resolve"),
                   QStringLiteral("app"), QStringLiteral("v1")});
    QCOMPARE(resolved.exitCode, 0);
    QCOMPARE(resolved.json()[QStringLiteral("commit")].toString(), release);

    const CliRun diff = cli(data, {QStringLiteral("--json"), QStringLiteral("diff"), QStringLiteral("show"),
                                   QStringLiteral("app"), QStringLiteral("v1"), QStringLiteral("main")});
    QCOMPARE(diff.exitCode, 0);
    QCOMPARE(diff.json()[QStringLiteral("commitsAdded")].toArray().size(), 50);
    QCOMPARE(diff.json()[QStringLiteral("files")].toArray().size(), 50);

    const CliRun human = cli(data, {QStringLiteral("diff"), QStringLiteral("files"), QStringLiteral("app"),
                                    QStringLiteral("v1"), QStringLiteral("main")});
    QCOMPARE(human.exitCode, 0);
    QVERIFY2(human.out.contains("modified  files/file0.txt"), human.out.constData());

    const CliRun unknownRef = cli(data, {QStringLiteral("refs"), QStringLiteral("resolve"),
                                         QStringLiteral("app"), QStringLiteral("no-such-ref")});
    QCOMPARE(unknownRef.exitCode, 4);
    QVERIFY(unknownRef.err.contains("no-such-ref"));
    QCOMPARE(cli(data, {QStringLiteral("refs"), QStringLiteral("tags"), QStringLiteral("nobody")}).exitCode,
             4);
    QCOMPARE(cli(data, {QStringLiteral("refs"), QStringLiteral("resolve"), QStringLiteral("app")}).exitCode,
             2);
    QCOMPARE(cli(data, {QStringLiteral("diff"), QStringLiteral("show"), QStringLiteral("app"),
                        QStringLiteral("v1")})
                 .exitCode,
             2);

    const CliRun failed = cli(data, {QStringLiteral("--json"), QStringLiteral("mirror"),
                                     QStringLiteral("fetch"), QStringLiteral("gone")});
    QCOMPARE(failed.exitCode, 1);
    const QJsonObject error = QJsonDocument::fromJson(failed.err).object();
    QVERIFY2(error.value(QStringLiteral("error")).toString().contains(QStringLiteral("gone.git")) ||
                 failed.err.contains("gone.git"),
             failed.err.constData());
}

QTEST_GUILESS_MAIN(TestGitMirror)
#include "tst_gitmirror.moc"
