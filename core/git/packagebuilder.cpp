#include "packagebuilder.h"

#include "commitfiles.h"
#include "common/sha256.h"
#include "githandles.h"
#include "gitrefs.h"
#include "localhook.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

namespace rd {

namespace {

struct DiskEntry
{
    QByteArray path;
    QString local;
    mode_t mode = 0;
    qint64 size = 0;
};

// Collects the tree below `directory` without following symlinks, leaving ignored subtrees unvisited.
Result<> collect(const QString &directory, const QByteArray &prefix, const CommitFiles &files,
                 QList<DiskEntry> &entries, QStringList *warnings)
{
    const QDir dir(directory);
    const QStringList names = dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        DiskEntry entry;
        entry.path = prefix + name.toUtf8();
        // Joined as text: QDir takes a name that starts with ':' for a Qt resource path.
        entry.local = directory + u'/' + name;
        if (name == u".git" || (prefix.isEmpty() && name == PackageManifest::fileName()) || files.ignored(entry.path))
            continue;
        struct stat info {};
        if (::lstat(QFile::encodeName(entry.local).constData(), &info) != 0)
            return fail(PackageBuilder::tr("Could not read %1 in the work directory.").arg(entry.local),
                        PackageBuilder::tr("Make sure nothing else changes the work directory, then build again."));
        entry.mode = info.st_mode;
        entry.size = qint64(info.st_size);
        if (S_ISDIR(info.st_mode)) {
            entries.append(entry);
            if (auto below = collect(entry.local, entry.path + '/', files, entries, warnings); !below)
                return below;
        } else if (S_ISREG(info.st_mode) || S_ISLNK(info.st_mode)) {
            entries.append(entry);
        } else if (warnings) {
            warnings->append(PackageBuilder::tr("%1 is neither a file, a directory nor a symlink and is not part of "
                                                "the package.")
                                 .arg(QString::fromUtf8(entry.path)));
        }
    }
    return {};
}

} // namespace

PackageBuilder::PackageBuilder(const GitRefs &refs, PackageStore &store, QString workRoot)
    : m_refs(refs), m_store(store), m_workRoot(std::move(workRoot))
{
}

QString PackageBuilder::hookDigest(const QString &hookScript)
{
    if (hookScript.trimmed().isEmpty())
        return {};
    Sha256 hash;
    hash.addData(hookScript.toUtf8());
    return QString::fromLatin1(hash.result().toHex());
}

QString PackageBuilder::cacheKey(const QString &project, const QString &commitId, const QString &hookScript,
                                 const QStringList &excludes)
{
    Sha256 hash;
    QStringList sorted = excludes;
    sorted.sort();
    hash.addData(QStringLiteral("package %1\n%2\n%3\n%4")
                     .arg(PackageManifest::FormatVersion)
                     .arg(commitId, hookDigest(hookScript), sorted.join(u'\n'))
                     .toUtf8());
    return QStringLiteral("%1-%2-%3").arg(project, commitId.left(12), QString::fromLatin1(hash.result().toHex().left(12)));
}

Result<PackageWriter::Summary> PackageBuilder::writeTree(git_repository *repository, const CommitFiles &files, int fd,
                                                         const QString &where, const PackageManifest &manifest,
                                                         int compressionLevel)
{
    PackageWriter writer;
    if (auto opened = writer.open(fd, where, {files.commitTime(), compressionLevel}); !opened)
        return std::unexpected(opened.error());
    for (const CommitFile &file : files.files()) {
        if (file.isDirectory()) {
            if (auto added = writer.addDirectory(file.path); !added)
                return std::unexpected(added.error());
            continue;
        }
        git_blob *rawBlob = nullptr;
        if (git_blob_lookup(&rawBlob, repository, &file.id) != 0)
            return std::unexpected(gitError(tr("Could not read %1 from the mirror").arg(QString::fromUtf8(file.path))));
        const GitBlob blob(rawBlob);
        const QByteArrayView content(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                     qsizetype(git_blob_rawsize(blob.get())));
        auto added = file.isSymlink() ? writer.addSymlink(file.path, content.toByteArray())
                                      : writer.addFile(file.path, file.isExecutable(), content);
        if (!added)
            return std::unexpected(added.error());
    }
    return writer.finish(manifest);
}

Result<PackageWriter::Summary> PackageBuilder::writeDirectory(const QString &directory, const CommitFiles &files,
                                                              int fd, const QString &where,
                                                              const PackageManifest &manifest, int compressionLevel,
                                                              QStringList *warnings)
{
    QList<DiskEntry> entries;
    if (auto collected = collect(directory, {}, files, entries, warnings); !collected)
        return std::unexpected(collected.error());
    std::sort(entries.begin(), entries.end(), [](const DiskEntry &a, const DiskEntry &b) { return a.path < b.path; });

    PackageWriter writer;
    if (auto opened = writer.open(fd, where, {files.commitTime(), compressionLevel}); !opened)
        return std::unexpected(opened.error());
    for (const DiskEntry &entry : entries) {
        Result<> added;
        if (S_ISDIR(entry.mode)) {
            added = writer.addDirectory(entry.path);
        } else if (S_ISLNK(entry.mode)) {
            QByteArray target(qMax<qint64>(entry.size, 255) + 1, Qt::Uninitialized);
            const ssize_t n = ::readlink(QFile::encodeName(entry.local).constData(), target.data(), size_t(target.size()));
            if (n < 0)
                return fail(tr("Could not read the symlink %1.").arg(entry.local));
            target.resize(qsizetype(n));
            added = writer.addSymlink(entry.path, target);
        } else {
            added = writer.addFileFrom(entry.path, (entry.mode & 0111) != 0, entry.local, entry.size);
        }
        if (!added)
            return std::unexpected(added.error());
    }
    return writer.finish(manifest);
}

Result<PackageBuild> PackageBuilder::build(const PackageRequest &request) const
{
    auto commitId = m_refs.resolve(request.ref);
    if (!commitId) {
        Error error = commitId.error();
        if (error.field == u"ref")
            error.hint = tr("Check the ref, or fetch the mirror first (mirror fetch %1) if it is new.").arg(request.project);
        return std::unexpected(error);
    }
    const bool hasHook = !request.hookScript.trimmed().isEmpty();
    const QString key = cacheKey(request.project, *commitId, request.hookScript, request.excludes);
    PackageBuild build;
    auto cached = m_store.find(key);
    if (!cached)
        return std::unexpected(cached.error());
    if (*cached) {
        build.package = std::move(**cached);
        build.cached = true;
        return build;
    }

    // With a hook, the checkout holds everything (a build may need export-ignored files); what
    // the package leaves out is decided when the directory is packaged.
    auto files = CommitFiles::read(m_refs.repository(), *commitId, request.excludes, !hasHook);
    if (!files)
        return std::unexpected(files.error());
    build.warnings = files->warnings();

    PackageManifest manifest;
    manifest.project = request.project;
    manifest.commit = *commitId;
    manifest.ref = request.ref;
    manifest.version = request.version;
    manifest.commitTime = files->commitTime();
    manifest.hookSha256 = hookDigest(request.hookScript);
    manifest.excludes = request.excludes;

    if (!hasHook) {
        auto stored = m_store.add(key, [&](int fd, const QString &where) {
            return writeTree(m_refs.repository(), *files, fd, where, manifest, request.compressionLevel);
        });
        if (!stored)
            return std::unexpected(stored.error());
        build.package = std::move(*stored);
        return build;
    }

    if (!QDir().mkpath(m_workRoot))
        return fail(tr("Could not create the work directory %1.").arg(m_workRoot),
                    tr("Check the permissions of the data directory."));
    QTemporaryDir work(QDir(m_workRoot).filePath(QStringLiteral("%1-%2-XXXXXX").arg(request.project, commitId->left(12))));
    if (!work.isValid())
        return fail(tr("Could not create a work directory in %1: %2").arg(m_workRoot, work.errorString()),
                    tr("Check the free space and permissions of the data directory."));
    if (auto checkedOut = files->checkout(work.path()); !checkedOut)
        return std::unexpected(checkedOut.error());

    LocalHookRequest hook;
    hook.title = tr("The after-download hook");
    hook.script = request.hookScript;
    hook.workDir = work.path();
    hook.context = {request.project, request.environment, request.version, *commitId, request.ref,
                    QStringLiteral("after-download")};
    hook.timeoutMs = request.hookTimeoutMs;
    hook.cancel = request.cancel;
    hook.onLine = request.onHookLine;
    if (auto ran = LocalHook::run(hook); !ran)
        return std::unexpected(ran.error());

    auto stored = m_store.add(key, [&](int fd, const QString &where) {
        return writeDirectory(work.path(), *files, fd, where, manifest, request.compressionLevel, &build.warnings);
    });
    if (!stored)
        return std::unexpected(stored.error());
    build.package = std::move(*stored);
    return build;
}

} // namespace rd
