#include "commitfiles.h"

#include "githandles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

namespace rd {

PathExcludes::PathExcludes(const QStringList &patterns)
{
    for (QString pattern : patterns) {
        pattern = pattern.trimmed();
        while (pattern.endsWith(u'/'))
            pattern.chop(1);
        if (pattern.isEmpty())
            continue;
        const bool anchored = pattern.contains(u'/');
        if (pattern.startsWith(u'/'))
            pattern.remove(0, 1);
        const QRegularExpression expression(QRegularExpression::wildcardToRegularExpression(pattern));
        (anchored ? m_paths : m_names).append(expression);
    }
}

bool PathExcludes::matches(const QByteArray &path) const
{
    if (m_names.isEmpty() && m_paths.isEmpty())
        return false;
    const QString text = QString::fromUtf8(path);
    const QStringList parts = text.split(u'/');
    for (const QString &part : parts)
        for (const QRegularExpression &name : m_names)
            if (name.match(part).hasMatch())
                return true;
    // A path pattern matches the path itself or any directory above it.
    QString prefix;
    for (const QString &part : parts) {
        prefix = prefix.isEmpty() ? part : prefix + u'/' + part;
        for (const QRegularExpression &full : m_paths)
            if (full.match(prefix).hasMatch())
                return true;
    }
    return false;
}

bool CommitFiles::safeEntryName(const QByteArray &name)
{
    // A backslash is an ordinary character in a POSIX name, and git on Linux writes it.
    return !name.isEmpty() && name != "." && name != ".." && name.compare(".git", Qt::CaseInsensitive) != 0 &&
           !name.contains('/');
}

Error CommitFiles::missingCommit(const QString &commitId)
{
    return Error{tr("The commit %1 is not in the local mirror.").arg(commitId),
                 tr("Fetch the mirror first (mirror fetch), then build the package again."), QStringLiteral("ref")};
}

Result<CommitFiles> CommitFiles::read(git_repository *repository, const QString &commitId,
                                      const QStringList &excludes, bool applyIgnores)
{
    CommitFiles files;
    files.m_repository = repository;
    files.m_excludes = PathExcludes(excludes);
    if (git_oid_fromstr(&files.m_commitId, commitId.toLatin1().constData()) != 0)
        return fail(tr("\"%1\" is not a full commit id.").arg(commitId), tr("Resolve the ref first."),
                    QStringLiteral("ref"));
    git_commit *rawCommit = nullptr;
    if (git_commit_lookup(&rawCommit, repository, &files.m_commitId) != 0)
        return std::unexpected(missingCommit(commitId));
    const GitCommit commit(rawCommit);
    files.m_commitTime = qint64(git_commit_time(commit.get()));
    git_tree *rawTree = nullptr;
    if (git_commit_tree(&rawTree, commit.get()) != 0)
        return std::unexpected(gitError(tr("Could not read the tree of %1").arg(commitId)));
    const GitTree tree(rawTree);

    struct Walk
    {
        CommitFiles *files;
        QList<CommitFile> all;
        QSet<QByteArray> seen;
        QByteArray hostile; // the first path git would never make
    } walk{&files, {}, {}, {}};
    const int walked = git_tree_walk(
        tree.get(), GIT_TREEWALK_PRE,
        [](const char *root, const git_tree_entry *entry, void *payload) -> int {
            auto *walk = static_cast<Walk *>(payload);
            CommitFile file;
            const QByteArray name(git_tree_entry_name(entry));
            file.path = QByteArray(root) + name;
            // A crafted tree could name its way out of the release or write through a symlink of its
            // own (an entry twice, once a symlink and once a folder): stop at the first such entry.
            if (!safeEntryName(name) || walk->seen.contains(file.path)) {
                walk->hostile = file.path;
                return -1;
            }
            walk->seen.insert(file.path);
            file.id = *git_tree_entry_id(entry);
            file.mode = git_tree_entry_filemode(entry);
            if (file.mode == GIT_FILEMODE_COMMIT) {
                walk->files->m_warnings.append(
                    tr("The submodule %1 is not part of the package.").arg(QString::fromUtf8(file.path)));
                return 0;
            }
            if (qstrcmp(git_tree_entry_name(entry), ".gitattributes") == 0)
                walk->files->m_hasAttributes = true;
            walk->all.append(std::move(file));
            return 0;
        },
        &walk);
    if (!walk.hostile.isEmpty())
        return fail(tr("Commit %1 has a tree entry \"%2\" that git never makes (\"..\", \".\", \".git\", an empty "
                       "name, a name with /, or a name twice): the repository was crafted to write outside "
                       "the release.")
                        .arg(commitId.left(12), QString::fromUtf8(walk.hostile)),
                    tr("Do not release this commit; find out who pushed it."), QStringLiteral("ref"));
    if (walked != 0)
        return std::unexpected(gitError(tr("Could not read the files of %1").arg(commitId)));

    GitBuf infoPath;
    if (git_repository_item_path(&infoPath.buf, repository, GIT_REPOSITORY_ITEM_INFO) == 0)
        files.m_hasAttributes =
            files.m_hasAttributes || QFileInfo::exists(QString::fromUtf8(infoPath.buf.ptr) + QStringLiteral("attributes"));

    // Pre-order: a directory comes before what it holds, so an ignored one takes its contents along.
    QByteArray skipped;
    for (CommitFile &file : walk.all) {
        if (!skipped.isEmpty() && file.path.startsWith(skipped))
            continue;
        skipped.clear();
        if (applyIgnores) {
            auto ignore = files.m_excludes.matches(file.path) ? Result<bool>(true) : files.exportIgnored(file.path);
            if (!ignore)
                return std::unexpected(ignore.error());
            if (*ignore) {
                if (file.isDirectory())
                    skipped = file.path + '/';
                continue;
            }
        }
        files.m_files.append(std::move(file));
    }
    std::sort(files.m_files.begin(), files.m_files.end(),
              [](const CommitFile &a, const CommitFile &b) { return a.path < b.path; });
    return files;
}

Result<bool> CommitFiles::attributeIgnores(git_repository *repository, const git_oid &commitId, const QByteArray &path)
{
    // Attributes of the commit itself (and info/attributes), never of a work tree or the system.
    git_attr_options options = GIT_ATTR_OPTIONS_INIT;
    options.flags = GIT_ATTR_CHECK_INDEX_ONLY | GIT_ATTR_CHECK_NO_SYSTEM | GIT_ATTR_CHECK_INCLUDE_COMMIT;
    options.attr_commit_id = commitId;
    const char *value = nullptr;
    if (git_attr_get_ext(&value, repository, &options, path.constData(), "export-ignore") != 0)
        return std::unexpected(gitError(tr("Could not read the attributes of %1").arg(QString::fromUtf8(path))));
    return git_attr_value(value) == GIT_ATTR_VALUE_TRUE;
}

Result<bool> CommitFiles::exportIgnored(const QByteArray &path) const
{
    if (!m_hasAttributes)
        return false;
    return attributeIgnores(m_repository, m_commitId, path);
}

Result<bool> CommitFiles::ignoredAt(git_repository *repository, const git_oid &commitId, const PathExcludes &excludes,
                                    const QByteArray &path)
{
    if (excludes.matches(path))
        return true;
    for (qsizetype slash = path.indexOf('/'); ; slash = path.indexOf('/', slash + 1)) {
        auto ignore = attributeIgnores(repository, commitId, slash < 0 ? path : path.left(slash));
        if (!ignore || *ignore || slash < 0)
            return ignore;
    }
}

bool CommitFiles::ignored(const QByteArray &path) const
{
    if (m_excludes.matches(path))
        return true;
    const auto ignore = exportIgnored(path);
    return ignore && *ignore;
}

Result<> CommitFiles::checkout(const QString &directory) const
{
    for (const CommitFile &file : m_files) {
        // Joined as text: QDir takes a name that starts with ':' for a Qt resource, an absolute path,
        // and a tree entry ":x" would land in the current directory.
        const QString target = directory + u'/' + QString::fromUtf8(file.path);
        if (file.isDirectory()) {
            if (!QDir().mkpath(target))
                return fail(tr("Could not create %1 in the work directory.").arg(target),
                            tr("Check the free space and permissions of %1.").arg(directory));
            continue;
        }
        git_blob *rawBlob = nullptr;
        if (git_blob_lookup(&rawBlob, m_repository, &file.id) != 0)
            return std::unexpected(gitError(tr("Could not read %1 from the mirror").arg(QString::fromUtf8(file.path))));
        const GitBlob blob(rawBlob);
        const QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                 qsizetype(git_blob_rawsize(blob.get())));
        const QByteArray local = QFile::encodeName(target);
        if (file.isSymlink()) {
            if (::symlink(content.constData(), local.constData()) != 0)
                return fail(tr("Could not create the symlink %1: %2").arg(target, QString::fromLocal8Bit(strerror(errno))),
                            tr("Check the free space and permissions of %1.").arg(directory));
            continue;
        }
        QFile out(target);
        if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size() || !out.flush())
            return fail(tr("Could not write %1: %2").arg(target, out.errorString()),
                        tr("Check the free space and permissions of %1.").arg(directory));
        out.close();
        if (::chmod(local.constData(), file.isExecutable() ? 0755 : 0644) != 0)
            return fail(tr("Could not set the mode of %1.").arg(target));
    }
    return {};
}

} // namespace rd
