// Benchmark of packaging (issue "Git mirrors and release packages", Measures), with the baselines
// measured in the same run on the same generated repository:
//  1. a full package of one commit (~20,000 files, ~200 MB) against `git archive --format=tar.gz`;
//     ReleaseDesk at its default gzip level and, for reference, at git's level (6);
//  2. a patch package for a 10-file change against the full package (time and bytes).
//
// bench_package [--files N] [--mb M] [--rounds R]

#include "git/commitfiles.h"
#include "git/gitlibrary.h"
#include "git/gitrefs.h"
#include "git/packagebuilder.h"
#include "git/patchpackage.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace rd;

namespace {

// Text-like content (words from a small vocabulary), so gzip sees what it sees in source trees.
QByteArray content(quint64 &state, int size)
{
    static const char *words[] = {"int ", "return ", "const ", "value", "(", ")", "{\n", "}\n", "if ", "else ",
                                  "for ", "auto ", "QString ", "result", " = ", ";\n", "// ", "error", "std::", "x"};
    QByteArray out;
    out.reserve(size + 16);
    while (out.size() < size) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        out += words[(state >> 33) % 20];
        if ((state >> 20) % 7 == 0)
            out += QByteArray::number(quint32(state >> 40));
    }
    out.truncate(size);
    return out;
}

QByteArray data(const QByteArray &bytes)
{
    return "data " + QByteArray::number(bytes.size()) + '\n' + bytes + '\n';
}

bool fastImport(const QString &repo, int files, qint64 bytes)
{
    QProcess process;
    process.setWorkingDirectory(repo);
    process.start(QStringLiteral("git"), {QStringLiteral("fast-import"), QStringLiteral("--quiet")});
    if (!process.waitForStarted())
        return false;
    quint64 state = 42;
    const int average = int(bytes / files);
    QByteArray stream = "commit refs/heads/main\nmark :1\ncommitter Bench <bench@example.com> 1700000000 +0000\n" +
                        data("generated tree") ;
    for (int i = 0; i < files; ++i) {
        const int size = qMax(16, int(average / 2 + (quint64(i) * 2654435761u) % quint64(average)));
        const QByteArray path = "src/module" + QByteArray::number(i % 200) + "/dir" + QByteArray::number(i % 17) +
                                "/file" + QByteArray::number(i) + (i % 50 == 0 ? ".sh" : ".cpp");
        stream += (i % 50 == 0 ? "M 100755 inline " : "M 100644 inline ") + path + '\n' + data(content(state, size));
        if (stream.size() > (8 << 20)) {
            process.write(stream);
            process.waitForBytesWritten(-1);
            stream.clear();
        }
    }
    // The second commit changes 10 files: the patch's case.
    stream += "commit refs/heads/main\nmark :2\ncommitter Bench <bench@example.com> 1700000600 +0000\n" +
              data("ten files changed") + "from :1\n";
    for (int i = 0; i < 10; ++i)
        stream += "M 100644 inline src/module" + QByteArray::number(i % 200) + "/dir" + QByteArray::number(i % 17) +
                  "/file" + QByteArray::number(i) + ".cpp\n" + data(content(state, average));
    stream += "done\n";
    process.write(stream);
    process.closeWriteChannel();
    return process.waitForFinished(-1) && process.exitCode() == 0;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

struct Run
{
    double seconds = 0;
    qint64 bytes = 0;
};

Run gitArchive(const QString &repo, const QString &commit, const QString &out)
{
    QElapsedTimer timer;
    timer.start();
    QProcess process;
    process.setWorkingDirectory(repo);
    process.start(QStringLiteral("git"),
                  {QStringLiteral("archive"), QStringLiteral("--format=tar.gz"), QStringLiteral("-o"), out, commit});
    process.waitForFinished(-1);
    if (process.exitCode() != 0)
        qFatal("git archive failed: %s", process.readAllStandardError().constData());
    return {timer.nsecsElapsed() / 1e9, QFileInfo(out).size()};
}

template <typename Write>
Run ours(const QString &out, Write write)
{
    QElapsedTimer timer;
    timer.start();
    const int fd = ::open(QFile::encodeName(out).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    auto summary = write(fd);
    ::close(fd);
    if (!summary)
        qFatal("package failed: %s", qPrintable(summary.error().text()));
    return {timer.nsecsElapsed() / 1e9, summary->size};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("files"), QStringLiteral("Files in the tree."), QStringLiteral("N"), QStringLiteral("20000")},
                       {QStringLiteral("mb"), QStringLiteral("Megabytes in the tree."), QStringLiteral("M"), QStringLiteral("200")},
                       {QStringLiteral("rounds"), QStringLiteral("Rounds (median)."), QStringLiteral("R"), QStringLiteral("3")}});
    parser.process(app);
    const int files = parser.value(QStringLiteral("files")).toInt();
    const qint64 bytes = parser.value(QStringLiteral("mb")).toLongLong() << 20;
    const int rounds = qMax(1, parser.value(QStringLiteral("rounds")).toInt());

    GitLibrary git;
    QTemporaryDir dir;
    const QString repo = dir.filePath(QStringLiteral("repo.git"));
    QProcess::execute(QStringLiteral("git"), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"), repo});
    QElapsedTimer setup;
    setup.start();
    if (!fastImport(repo, files, bytes))
        qFatal("could not generate the repository");
    std::printf("generated %d files, %lld MB in %.1f s\n", files, bytes >> 20, setup.nsecsElapsed() / 1e9);

    auto refs = GitRefs::open(repo);
    if (!refs)
        qFatal("%s", qPrintable(refs.error().text()));
    const QString target = *refs->resolve(QStringLiteral("main"));
    const QString base = *refs->resolve(QStringLiteral("main~1"));
    PackageManifest manifest;
    manifest.project = QStringLiteral("bench");
    manifest.commit = target;

    auto fullAt = [&](int level) {
        return [&, level](int fd) -> Result<PackageWriter::Summary> {
            auto tree = CommitFiles::read(refs->repository(), target);
            if (!tree)
                return std::unexpected(tree.error());
            return PackageBuilder::writeTree(refs->repository(), *tree, fd, dir.path(), manifest, level);
        };
    };
    QList<double> archiveTimes, level1Times, level6Times, patchTimes;
    Run archive, level1, level6, patch;
    for (int round = 0; round < rounds; ++round) {
        archive = gitArchive(repo, target, dir.filePath(QStringLiteral("git.tar.gz")));
        archiveTimes.append(archive.seconds);
        level1 = ours(dir.filePath(QStringLiteral("rd1.tar.gz")), fullAt(1));
        level1Times.append(level1.seconds);
        level6 = ours(dir.filePath(QStringLiteral("rd6.tar.gz")), fullAt(6));
        level6Times.append(level6.seconds);
        patch = ours(dir.filePath(QStringLiteral("patch.tar.gz")), [&](int fd) {
            PackageManifest patchManifest = manifest;
            patchManifest.kind = PackageManifest::Kind::Patch;
            return PatchPackage::write(refs->repository(), base, target, {}, {}, fd, dir.path(), patchManifest, 1, nullptr);
        });
        patchTimes.append(patch.seconds);
    }
    const double a = median(archiveTimes), r1 = median(level1Times), r6 = median(level6Times), p = median(patchTimes);
    std::printf("\nfull package of %d files, median of %d rounds:\n", files, rounds);
    std::printf("  git archive --format=tar.gz   %7.2f s  %9.1f MB\n", a, archive.bytes / 1048576.0);
    std::printf("  ReleaseDesk (gzip level 1)    %7.2f s  %9.1f MB   time ratio %.2f (goal <= 1.0), size ratio %.2f\n",
                r1, level1.bytes / 1048576.0, r1 / a, double(level1.bytes) / double(archive.bytes));
    std::printf("  ReleaseDesk (gzip level 6)    %7.2f s  %9.1f MB   time ratio %.2f, size ratio %.2f\n", r6,
                level6.bytes / 1048576.0, r6 / a, double(level6.bytes) / double(archive.bytes));
    std::printf("patch package, 10 files changed:\n");
    std::printf("  patch                         %7.3f s  %9.3f MB   %.2f%% of the full package's time (goal <= 2%%), "
                "%.3f%% of its bytes (goal <= 2%%)\n",
                p, patch.bytes / 1048576.0, 100.0 * p / r1, 100.0 * double(patch.bytes) / double(level1.bytes));
    return 0;
}
