#include "patchpackage.h"

#include "commitfiles.h"
#include "common/sha256.h"
#include "githandles.h"
#include "gitrefs.h"
#include "sharedpaths.h"

#include <QSet>

#include <map>

namespace rd {

namespace {

enum class EntryType { Directory, File, Symlink };

EntryType typeOf(const CommitFile &file)
{
    if (file.isDirectory())
        return EntryType::Directory;
    return file.isSymlink() ? EntryType::Symlink : EntryType::File;
}

std::map<QByteArray, CommitFile> byPath(const CommitFiles &files)
{
    std::map<QByteArray, CommitFile> paths;
    for (const CommitFile &file : files.files())
        paths.emplace(file.path, file);
    return paths;
}

bool hasDeletedAncestor(const QSet<QByteArray> &deleted, const QByteArray &path)
{
    for (qsizetype slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1))
        if (deleted.contains(path.left(slash)))
            return true;
    return false;
}

// What turns the listing `base` into `target`: the topmost paths to delete, and the files and
// symlinks to write (sorted), with the folders above them. Paths under a shared path are skipped.
struct Difference
{
    QList<QByteArray> deleted;
    std::map<QByteArray, CommitFile> written;
    QList<QByteArray> keptShared; // changed in git, but the server's shared copy wins
};

Difference difference(const CommitFiles &baseFiles, const CommitFiles &targetFiles, const SharedPaths &shared)
{
    const auto base = byPath(baseFiles);
    const auto target = byPath(targetFiles);
    Difference result;
    QSet<QByteArray> deleted;
    for (const auto &[path, file] : base) { // sorted: a folder before what it holds
        const auto found = target.find(path);
        if (found != target.end() && typeOf(found->second) == typeOf(file))
            continue;
        if (shared.covers(path)) {
            result.keptShared.append(path);
            continue;
        }
        if (!hasDeletedAncestor(deleted, path)) {
            deleted.insert(path);
            result.deleted.append(path);
        }
    }
    for (const auto &[path, file] : target) {
        if (file.isDirectory())
            continue;
        const auto found = base.find(path);
        if (found != base.end() && found->second.mode == file.mode && git_oid_equal(&found->second.id, &file.id))
            continue;
        if (shared.covers(path)) {
            if (!result.keptShared.contains(path))
                result.keptShared.append(path);
            continue;
        }
        result.written.emplace(path, file);
        for (qsizetype slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1))
            result.written.try_emplace(path.left(slash), CommitFile{path.left(slash), {}, GIT_FILEMODE_TREE});
    }
    return result;
}

} // namespace

QString PatchPackage::cacheKey(const QString &project, const QString &baseId, const QString &targetId,
                               const QStringList &excludes, const QStringList &sharedPaths)
{
    Sha256 hash;
    QStringList sortedExcludes = excludes;
    sortedExcludes.sort();
    QStringList sortedShared = sharedPaths;
    sortedShared.sort();
    // "patch 2": the listing difference (format 1 came from a rename-detecting tree diff).
    hash.addData(QStringLiteral("patch 2 %1\n%2\n%3\n%4\n%5")
                     .arg(PackageManifest::FormatVersion)
                     .arg(baseId, targetId, sortedExcludes.join(u'\n'), sortedShared.join(u'\n'))
                     .toUtf8());
    return QStringLiteral("%1-patch-%2-%3-%4")
        .arg(project, baseId.left(12), targetId.left(12), QString::fromLatin1(hash.result().toHex().left(12)));
}

Result<PackageWriter::Summary> PatchPackage::write(git_repository *repository, const QString &baseId,
                                                   const QString &targetId, const QStringList &excludes,
                                                   const QStringList &sharedPaths, int fd, const QString &where,
                                                   PackageManifest manifest, int compressionLevel,
                                                   QStringList *warnings)
{
    const SharedPaths shared(sharedPaths);
    if (auto allowed = shared.checkCommit(repository, targetId); !allowed)
        return std::unexpected(allowed.error());
    auto base = CommitFiles::read(repository, baseId, excludes);
    if (!base)
        return std::unexpected(base.error());
    auto target = CommitFiles::read(repository, targetId, excludes);
    if (!target)
        return std::unexpected(target.error());
    const Difference change = difference(*base, *target, shared);
    if (warnings) {
        *warnings += target->warnings();
        for (const QByteArray &path : change.keptShared)
            warnings->append(tr("%1 changed in git but lies in a shared path: the servers keep their own copy.")
                                 .arg(QString::fromUtf8(path)));
    }
    for (const QByteArray &path : change.deleted)
        manifest.deleted.append(QString::fromUtf8(path));

    PackageWriter writer;
    if (auto opened = writer.open(fd, where, {target->commitTime(), compressionLevel}); !opened)
        return std::unexpected(opened.error());
    for (const auto &[path, file] : change.written) {
        if (file.isDirectory()) {
            if (auto written = writer.addDirectory(path); !written)
                return std::unexpected(written.error());
            continue;
        }
        git_blob *rawBlob = nullptr;
        if (git_blob_lookup(&rawBlob, repository, &file.id) != 0)
            return std::unexpected(gitError(tr("Could not read %1 from the mirror").arg(QString::fromUtf8(path))));
        const GitBlob blob(rawBlob);
        const QByteArrayView content(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                     qsizetype(git_blob_rawsize(blob.get())));
        auto written = file.isSymlink() ? writer.addSymlink(path, content.toByteArray())
                                        : writer.addFile(path, file.isExecutable(), content);
        if (!written)
            return std::unexpected(written.error());
    }
    manifest.commitTime = target->commitTime();
    return writer.finish(std::move(manifest));
}

Result<PatchBuild> PatchPackage::build(const GitRefs &refs, PackageStore &store, const PatchRequest &request)
{
    auto baseId = refs.resolve(request.baseRef);
    if (!baseId)
        return std::unexpected(baseId.error());
    auto targetId = refs.resolve(request.targetRef);
    if (!targetId)
        return std::unexpected(targetId.error());
    const QString key = cacheKey(request.project, *baseId, *targetId, request.excludes, request.sharedPaths);
    PatchBuild build;
    auto cached = store.find(key);
    if (!cached)
        return std::unexpected(cached.error());
    if (*cached) {
        build.package = std::move(**cached);
        build.cached = true;
        return build;
    }
    PackageManifest manifest;
    manifest.kind = PackageManifest::Kind::Patch;
    manifest.project = request.project;
    manifest.commit = *targetId;
    manifest.baseCommit = *baseId;
    manifest.ref = request.targetRef;
    manifest.version = request.version;
    manifest.excludes = request.excludes;
    auto stored = store.add(key, [&](int fd, const QString &where) {
        return write(refs.repository(), *baseId, *targetId, request.excludes, request.sharedPaths, fd, where,
                     manifest, request.compressionLevel, &build.warnings);
    });
    if (!stored)
        return std::unexpected(stored.error());
    build.package = std::move(*stored);
    return build;
}

} // namespace rd
