// Benchmark of the mirror fetch (issue "Git mirrors and release packages", Measures): a 1,000-commit
// update fetched by GitMirror against `git fetch --prune` of the same update into a `git clone --mirror`,
// both measured in the same run, over file:// and, when the sshd test hosts run, over ssh.
//
// The source has 2,000 files and 2,000 commits; the update adds 1,000 commits that each change three
// files. Every round starts both mirrors from a copy of their state before the update.
//
// Run: bench_gitfetch [--rounds N] [--no-ssh]   (ssh needs the test hosts: tests/sshd/testhosts start)

#include "git/gitlibrary.h"
#include "git/gitmirror.h"
#include "hostkeys/knownhosts.h"
#include "testhosts.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QUuid>

#include <algorithm>
#include <cstdio>

using namespace rd;

namespace {

constexpr int FileCount = 2000;
constexpr int BaseCommits = 2000;
constexpr int UpdateCommits = 1000;

QByteArray run(const QString &program, const QStringList &arguments, const QByteArray &input = {},
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        qFatal("%s %s failed: %s", qPrintable(program), qPrintable(arguments.join(u' ')),
               process.readAllStandardError().constData());
    return process.readAllStandardOutput();
}

QByteArray fileContent(int file, int version)
{
    QByteArray content;
    for (int line = 0; line < 20; ++line)
        content += "file " + QByteArray::number(file) + " version " + QByteArray::number(version) + " line " +
                   QByteArray::number(line) + " lorem ipsum dolor sit amet\n";
    return content;
}

void inlineFile(QByteArray &stream, int file, int version)
{
    const QByteArray content = fileContent(file, version);
    stream += "M 100644 inline src/dir" + QByteArray::number(file % 40) + "/file" + QByteArray::number(file) +
              ".txt\ndata " + QByteArray::number(content.size()) + '\n' + content + '\n';
}

// Commits [first, first + count) on main; commit n changes three files.
void addCommits(const QString &repository, int first, int count)
{
    QByteArray stream;
    for (int n = first; n < first + count; ++n) {
        const QByteArray message = "Change " + QByteArray::number(n);
        stream += "commit refs/heads/main\ncommitter Bench <bench@example.com> " +
                  QByteArray::number(1700000000 + n * 60) + " +0000\ndata " +
                  QByteArray::number(message.size()) + '\n' + message + '\n';
        if (n == first && first > 0)
            stream += "from refs/heads/main^0\n";
        if (n == 0) {
            for (int file = 0; file < FileCount; ++file)
                inlineFile(stream, file, 0);
        } else {
            for (int k = 0; k < 3; ++k)
                inlineFile(stream, (n * 7 + k * 613) % FileCount, n);
        }
    }
    run(QStringLiteral("git"),
        {QStringLiteral("-C"), repository, QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
}

void copyTree(const QString &from, const QString &to)
{
    QDir(to).removeRecursively();
    run(QStringLiteral("cp"), {QStringLiteral("-a"), from, to});
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

struct Transport
{
    QString name;
    QString url;
    QProcessEnvironment gitEnvironment = QProcessEnvironment::systemEnvironment();
    FetchOptions options;
};

void measure(Transport &transport, const QString &work, int rounds, const std::function<void()> &update)
{
    const QString oursBase = work + QStringLiteral("/ours-base.git");
    const QString gitBase = work + QStringLiteral("/git-base.git");
    QDir(oursBase).removeRecursively();
    QDir(gitBase).removeRecursively();
    if (auto cloned = GitMirror(oursBase).fetch(transport.url, transport.options); !cloned)
        qFatal("first clone failed: %s", qPrintable(cloned.error().text()));
    run(QStringLiteral("git"),
        {QStringLiteral("clone"), QStringLiteral("--quiet"), QStringLiteral("--mirror"), transport.url,
         gitBase},
        {}, transport.gitEnvironment);
    update();

    QList<double> ours;
    QList<double> theirs;
    FetchProgress transfer;
    for (int round = 0; round < rounds; ++round) {
        const QString oursMirror = work + QStringLiteral("/ours.git");
        const QString gitMirror = work + QStringLiteral("/git.git");
        copyTree(oursBase, oursMirror);
        copyTree(gitBase, gitMirror);
        run(QStringLiteral("sync"), {});

        QElapsedTimer clock;
        clock.start();
        auto fetched = GitMirror(oursMirror).fetch(transport.url, transport.options);
        ours.append(clock.nsecsElapsed() / 1e9);
        if (!fetched)
            qFatal("fetch failed: %s", qPrintable(fetched.error().text()));
        transfer = fetched->transfer;

        clock.restart();
        run(QStringLiteral("git"),
            {QStringLiteral("-C"), gitMirror, QStringLiteral("fetch"), QStringLiteral("--quiet"),
             QStringLiteral("--prune"), QStringLiteral("origin")},
            {}, transport.gitEnvironment);
        theirs.append(clock.nsecsElapsed() / 1e9);
        if (run(QStringLiteral("git"),
                {QStringLiteral("-C"), oursMirror, QStringLiteral("rev-parse"), QStringLiteral("main")}) !=
            run(QStringLiteral("git"),
                {QStringLiteral("-C"), gitMirror, QStringLiteral("rev-parse"), QStringLiteral("main")}))
            qFatal("the two mirrors disagree after the fetch");
    }
    const double oursMedian = median(ours);
    const double theirsMedian = median(theirs);
    std::printf("%-6s  GitMirror::fetch %7.3f s   git fetch %7.3f s   ratio %.2f (goal <= 1.20)   %lld "
                "objects, %.1f MiB\n",
                qPrintable(transport.name), oursMedian, theirsMedian, oursMedian / theirsMedian,
                static_cast<long long>(transfer.receivedObjects), transfer.receivedBytes / 1048576.0);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const GitLibrary library;
    const QStringList arguments = app.arguments();
    int rounds = 5;
    if (const qsizetype at = arguments.indexOf(QStringLiteral("--rounds"));
        at > 0 && at + 1 < arguments.size())
        rounds = qMax(1, arguments.at(at + 1).toInt());
    const bool withSsh = !arguments.contains(QStringLiteral("--no-ssh"));

    QTemporaryDir dir;
    const QString source = dir.filePath(QStringLiteral("source.git"));
    run(QStringLiteral("git"), {QStringLiteral("init"), QStringLiteral("--quiet"), QStringLiteral("--bare"),
                                QStringLiteral("-b"), QStringLiteral("main"), source});
    QElapsedTimer clock;
    clock.start();
    addCommits(source, 0, BaseCommits);
    std::printf("source: %d files, %d commits, then an update of %d commits; %d rounds, median shown (built "
                "in %.1f s)\n",
                FileCount, BaseCommits, UpdateCommits, rounds, clock.elapsed() / 1000.0);

    // Each transport fetches from its own copy, so every update starts from the same base.
    const QString pristine = dir.filePath(QStringLiteral("pristine.git"));
    copyTree(source, pristine);
    auto updateOf = [](const QString &repository) {
        return [repository] { addCommits(repository, BaseCommits, UpdateCommits); };
    };

    {
        Transport file{QStringLiteral("file"), QStringLiteral("file://") + source, {}, {}};
        measure(file, dir.path(), rounds, updateOf(source));
    }

    if (!withSsh)
        return 0;
    const test::TestHostSet hosts = test::fixtureHosts();
    if (hosts.hosts.isEmpty()) {
        std::printf("ssh     skipped: no test hosts in %s (start them with tests/sshd/testhosts start)\n",
                    RELEASEDESK_TESTHOSTS_DIR);
        return 0;
    }
    const test::TestHost &host = hosts.hosts.first();
    const QString name =
        QStringLiteral("bench-gitfetch-%1.git").arg(QUuid::createUuid().toString(QUuid::Id128));
    const QString served = QDir(host.backingDir).filePath(name);
    copyTree(pristine, served);
    KnownHosts knownHosts(hosts.knownHosts());
    Transport ssh;
    ssh.name = QStringLiteral("ssh");
    ssh.url = QStringLiteral("ssh://%1@%2:%3%4/%5")
                  .arg(host.user, host.address)
                  .arg(host.port)
                  .arg(host.deployRoot, name);
    ssh.options.credentials.keyPath = hosts.clientKey();
    ssh.options.knownHosts = &knownHosts;
    ssh.gitEnvironment.insert(
        QStringLiteral("GIT_SSH_COMMAND"),
        QStringLiteral("ssh -i %1 -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes "
                       "-o UserKnownHostsFile=%2")
            .arg(hosts.clientKey(), hosts.knownHosts()));
    measure(ssh, dir.path(), rounds, updateOf(served));
    QDir(served).removeRecursively();
    return 0;
}
