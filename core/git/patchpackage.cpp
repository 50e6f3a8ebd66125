#include "patchpackage.h"

#include "commitfiles.h"
#include "common/sha256.h"
#include "githandles.h"
#include "gitrefs.h"

#include <QSet>

#include <algorithm>
#include <map>

namespace rd {

namespace {

struct Side
{
    git_oid id{};
    GitCommit commit;
    GitTree tree;
};

Result<Side> open(git_repository *repository, const QString &commitId)
{
    Side side;
    if (git_oid_fromstr(&side.id, commitId.toLatin1().constData()) != 0)
        return fail(PatchPackage::tr("\"%1\" is not a full commit id.").arg(commitId), {}, QStringLiteral("ref"));
    git_commit *commit = nullptr;
    if (git_commit_lookup(&commit, repository, &side.id) != 0)
        return std::unexpected(CommitFiles::missingCommit(commitId));
    side.commit.reset(commit);
    git_tree *tree = nullptr;
    if (git_commit_tree(&tree, commit) != 0)
        return std::unexpected(gitError(PatchPackage::tr("Could not read the tree of %1").arg(commitId)));
    side.tree.reset(tree);
    return side;
}

bool isDirectoryIn(const git_tree *tree, const QByteArray &path)
{
    git_tree_entry *entry = nullptr;
    if (git_tree_entry_bypath(&entry, tree, path.constData()) != 0)
        return false;
    const GitTreeEntry owned(entry);
    return git_tree_entry_type(entry) == GIT_OBJECT_TREE;
}

} // namespace

QString PatchPackage::cacheKey(const QString &project, const QString &baseId, const QString &targetId,
                               const QStringList &excludes)
{
    Sha256 hash;
    QStringList sorted = excludes;
    sorted.sort();
    hash.addData(QStringLiteral("patch %1\n%2\n%3\n%4")
                     .arg(PackageManifest::FormatVersion)
                     .arg(baseId, targetId, sorted.join(u'\n'))
                     .toUtf8());
    return QStringLiteral("%1-patch-%2-%3-%4")
        .arg(project, baseId.left(12), targetId.left(12), QString::fromLatin1(hash.result().toHex().left(12)));
}

Result<PackageWriter::Summary> PatchPackage::write(git_repository *repository, const QString &baseId,
                                                   const QString &targetId, const QStringList &excludes, int fd,
                                                   const QString &where, PackageManifest manifest,
                                                   int compressionLevel, QStringList *warnings)
{
    auto base = open(repository, baseId);
    if (!base)
        return std::unexpected(base.error());
    auto target = open(repository, targetId);
    if (!target)
        return std::unexpected(target.error());

    git_diff_options diffOptions = GIT_DIFF_OPTIONS_INIT;
    git_diff *rawDiff = nullptr;
    if (git_diff_tree_to_tree(&rawDiff, repository, base->tree.get(), target->tree.get(), &diffOptions) != 0)
        return std::unexpected(gitError(tr("Could not compare %1 with %2").arg(baseId.left(12), targetId.left(12))));
    const GitDiff diff(rawDiff);
    git_diff_find_options findOptions = GIT_DIFF_FIND_OPTIONS_INIT;
    findOptions.flags = GIT_DIFF_FIND_RENAMES;
    if (git_diff_find_similar(diff.get(), &findOptions) != 0)
        return std::unexpected(gitError(tr("Could not find the renames between %1 and %2").arg(baseId.left(12), targetId.left(12))));

    const PathExcludes pathExcludes(excludes);
    auto ignoredAt = [&](const Side &side, const QByteArray &path) {
        return CommitFiles::ignoredAt(repository, side.id, pathExcludes, path);
    };

    std::map<QByteArray, CommitFile> added; // sorted by path bytes
    QSet<QByteArray> deleted;
    QSet<QByteArray> deletedDirectories;
    auto removeOld = [&](const git_diff_file &old) -> Result<> {
        const QByteArray path(old.path);
        auto ignore = ignoredAt(*base, path);
        if (!ignore)
            return std::unexpected(ignore.error());
        if (*ignore)
            return {};
        deleted.insert(path);
        // The topmost directory above it that the target no longer has goes as a whole.
        for (qsizetype slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            const QByteArray directory = path.left(slash);
            if (!isDirectoryIn(target->tree.get(), directory)) {
                deletedDirectories.insert(directory);
                break;
            }
        }
        return {};
    };

    const size_t count = git_diff_num_deltas(diff.get());
    for (size_t i = 0; i < count; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        const bool oldIsSubmodule = delta->old_file.mode == GIT_FILEMODE_COMMIT;
        const bool newIsSubmodule = delta->new_file.mode == GIT_FILEMODE_COMMIT;
        if ((oldIsSubmodule || newIsSubmodule) && warnings)
            warnings->append(tr("The submodule %1 is not part of the patch.").arg(QString::fromUtf8(delta->new_file.path)));
        if (delta->status == GIT_DELTA_DELETED || delta->status == GIT_DELTA_RENAMED ||
            delta->status == GIT_DELTA_TYPECHANGE) {
            if (!oldIsSubmodule)
                if (auto removed = removeOld(delta->old_file); !removed)
                    return std::unexpected(removed.error());
        }
        if (delta->status == GIT_DELTA_DELETED || newIsSubmodule)
            continue;
        const QByteArray path(delta->new_file.path);
        auto ignore = ignoredAt(*target, path);
        if (!ignore)
            return std::unexpected(ignore.error());
        if (*ignore)
            continue;
        if (delta->status == GIT_DELTA_RENAMED)
            manifest.renamed.append({QString::fromUtf8(delta->old_file.path), QString::fromUtf8(path)});
        added[path] = CommitFile{path, delta->new_file.id, git_filemode_t(delta->new_file.mode)};
    }
    // The directories above new files, so tar gives them the package's mode.
    for (const auto &[path, file] : std::map<QByteArray, CommitFile>(added))
        for (qsizetype slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1))
            added.try_emplace(path.left(slash), CommitFile{path.left(slash), {}, GIT_FILEMODE_TREE});

    QList<QByteArray> deletedSorted = deleted.values();
    std::sort(deletedSorted.begin(), deletedSorted.end());
    for (const QByteArray &path : deletedSorted)
        manifest.deleted.append(QString::fromUtf8(path));
    QList<QByteArray> directoriesSorted = deletedDirectories.values();
    std::sort(directoriesSorted.begin(), directoriesSorted.end());
    for (const QByteArray &path : directoriesSorted)
        manifest.deletedDirectories.append(QString::fromUtf8(path));

    PackageWriter writer;
    if (auto opened = writer.open(fd, where, {qint64(git_commit_time(target->commit.get())), compressionLevel}); !opened)
        return std::unexpected(opened.error());
    for (const auto &[path, file] : added) {
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
    manifest.commitTime = qint64(git_commit_time(target->commit.get()));
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
    const QString key = cacheKey(request.project, *baseId, *targetId, request.excludes);
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
        return write(refs.repository(), *baseId, *targetId, request.excludes, fd, where, manifest,
                     request.compressionLevel, &build.warnings);
    });
    if (!stored)
        return std::unexpected(stored.error());
    build.package = std::move(*stored);
    return build;
}

} // namespace rd
