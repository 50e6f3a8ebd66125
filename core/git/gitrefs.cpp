#include "gitrefs.h"
#include "githandles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace rd {

namespace {

QDateTime dateOf(const git_time &time)
{
    return QDateTime::fromSecsSinceEpoch(time.time, Qt::OffsetFromUTC, time.offset * 60);
}

QString oidText(const git_oid *id)
{
    char text[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(text, sizeof text, id);
    return QString::fromLatin1(text);
}

QString firstLine(const char *message)
{
    if (!message)
        return {};
    return QString::fromUtf8(message).section(u'\n', 0, 0).trimmed();
}

// A ref, short id or full id as the commit it names; errors name the field "ref".
Result<GitCommit> lookupCommit(const GitRefs &refs, const QString &ref)
{
    const QString trimmed = ref.trimmed();
    if (trimmed.isEmpty())
        return fail(GitRefs::tr("No ref was given."), GitRefs::tr("Give a branch, a tag or a commit id."),
                    QStringLiteral("ref"));
    // A leading dash would read as an option wherever the name is passed on.
    if (trimmed.startsWith(u'-'))
        return fail(GitRefs::tr("\"%1\" is not a valid ref.").arg(ref),
                    GitRefs::tr("Give a branch, a tag or a commit id."),
                    QStringLiteral("ref"));
    const QString where = QFileInfo(refs.path()).fileName();
    git_object *raw = nullptr;
    const int found = git_revparse_single(&raw, refs.repository(), trimmed.toUtf8().constData());
    if (found == GIT_EAMBIGUOUS)
        return fail(GitRefs::tr("The short id \"%1\" matches more than one object in %2.").arg(trimmed, where),
                    GitRefs::tr("Give more characters of the commit id."), QStringLiteral("ref"));
    if (found == GIT_ENOTFOUND || found == GIT_EINVALIDSPEC || found == GIT_EINVALID)
        return fail(
            GitRefs::tr("There is no branch, tag or commit \"%1\" in %2.").arg(trimmed, where),
            GitRefs::tr("Check the spelling (list them with \"refs branches\" and \"refs tags\"), or fetch the "
               "mirror if it is new upstream."),
            QStringLiteral("ref"));
    if (found < 0) {
        Error error = gitError(GitRefs::tr("Could not resolve \"%1\" in %2").arg(trimmed, where));
        error.field = QStringLiteral("ref");
        return std::unexpected(error);
    }
    const GitObject object(raw);
    git_object *peeled = nullptr;
    if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) < 0)
        return fail(GitRefs::tr("\"%1\" in %2 is a %3, not a commit.")
                        .arg(trimmed, where,
                             QString::fromLatin1(git_object_type2string(git_object_type(object.get())))),
                    GitRefs::tr("Give a branch, a tag or a commit id."), QStringLiteral("ref"));
    return GitCommit(reinterpret_cast<git_commit *>(peeled));
}

} // namespace

void GitRefs::RepositoryFree::operator()(git_repository *repository) const
{
    git_repository_free(repository);
}

GitRefs::GitRefs(QString path, git_repository *repository) : m_path(std::move(path)), m_repository(repository)
{
}



Result<GitRefs> GitRefs::open(const QString &repositoryPath)
{
    git_repository *opened = nullptr;
    const int result = git_repository_open_ext(&opened, QFile::encodeName(repositoryPath).constData(),
                                               GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
    if (result == GIT_ENOTFOUND)
        return fail(tr("There is no git repository at %1.").arg(QDir::toNativeSeparators(repositoryPath)),
                    tr("Fetch the project's mirror first."));
    if (result < 0)
        return std::unexpected(gitError(tr("Could not open the repository %1").arg(repositoryPath)));
    return GitRefs(repositoryPath, opened);
}

CommitInfo GitRefs::describe(const git_commit *commit)
{
    CommitInfo info;
    info.id = oidText(git_commit_id(commit));
    GitBuf shortId;
    if (git_object_short_id(&shortId.buf, reinterpret_cast<const git_object *>(commit)) == 0)
        info.shortId = QString::fromLatin1(shortId.buf.ptr, qsizetype(shortId.buf.size));
    else
        info.shortId = info.id.left(7);
    if (const git_signature *author = git_commit_author(commit)) {
        info.author = QString::fromUtf8(author->name);
        info.authorEmail = QString::fromUtf8(author->email);
        info.date = dateOf(author->when);
    }
    info.subject = firstLine(git_commit_message(commit));
    return info;
}

Result<QList<BranchInfo>> GitRefs::branches() const
{
    git_branch_iterator *rawIterator = nullptr;
    if (git_branch_iterator_new(&rawIterator, m_repository.get(), GIT_BRANCH_LOCAL) < 0)
        return std::unexpected(gitError(tr("Could not list the branches of %1").arg(m_path)));
    const std::unique_ptr<git_branch_iterator, GitDeleter<git_branch_iterator_free>> iterator(rawIterator);
    QList<BranchInfo> branches;
    for (;;) {
        git_reference *rawReference = nullptr;
        git_branch_t type{};
        const int next = git_branch_next(&rawReference, &type, iterator.get());
        if (next == GIT_ITEROVER)
            break;
        if (next < 0)
            return std::unexpected(gitError(tr("Could not list the branches of %1").arg(m_path)));
        const GitReference reference(rawReference);
        const char *name = nullptr;
        git_object *peeled = nullptr;
        if (git_branch_name(&name, reference.get()) < 0 ||
            git_reference_peel(&peeled, reference.get(), GIT_OBJECT_COMMIT) < 0)
            return std::unexpected(gitError(tr("Could not read a branch of %1").arg(m_path)));
        const GitObject object(peeled);
        const auto *commit = reinterpret_cast<const git_commit *>(object.get());
        branches.append(BranchInfo{QString::fromUtf8(name), oidText(git_commit_id(commit)),
                                   dateOf(git_commit_committer(commit)->when),
                                   firstLine(git_commit_message(commit))});
    }
    std::sort(branches.begin(), branches.end(),
              [](const BranchInfo &a, const BranchInfo &b) { return a.name < b.name; });
    return branches;
}

Result<QList<TagInfo>> GitRefs::tags() const
{
    struct Walk
    {
        git_repository *repository;
        QList<TagInfo> tags;
    } walk{m_repository.get(), {}};
    const int result = git_tag_foreach(
        m_repository.get(),
        [](const char *refName, git_oid *id, void *payload) -> int {
            auto *walk = static_cast<Walk *>(payload);
            git_object *raw = nullptr;
            if (git_object_lookup(&raw, walk->repository, id, GIT_OBJECT_ANY) < 0)
                return -1;
            const GitObject object(raw);
            git_object *rawCommit = nullptr;
            // A tag of a tree or blob has no commit to deploy.
            if (git_object_peel(&rawCommit, object.get(), GIT_OBJECT_COMMIT) < 0)
                return 0;
            const GitObject commitObject(rawCommit);
            const auto *commit = reinterpret_cast<const git_commit *>(commitObject.get());
            TagInfo tag;
            tag.name = QString::fromUtf8(refName).mid(int(qstrlen("refs/tags/")));
            tag.commitId = oidText(git_commit_id(commit));
            tag.date = dateOf(git_commit_committer(commit)->when);
            if (git_object_type(object.get()) == GIT_OBJECT_TAG) {
                const auto *annotation = reinterpret_cast<const git_tag *>(object.get());
                tag.annotated = true;
                tag.message = firstLine(git_tag_message(annotation));
                if (const git_signature *tagger = git_tag_tagger(annotation))
                    tag.date = dateOf(tagger->when);
            }
            walk->tags.append(tag);
            return 0;
        },
        &walk);
    if (result < 0 && result != GIT_ENOTFOUND)
        return std::unexpected(gitError(tr("Could not list the tags of %1").arg(m_path)));
    std::sort(walk.tags.begin(), walk.tags.end(), [](const TagInfo &a, const TagInfo &b) {
        return a.date != b.date ? a.date > b.date : a.name < b.name;
    });
    return walk.tags;
}


Result<QString> GitRefs::resolve(const QString &ref) const
{
    auto commit = lookupCommit(*this, ref);
    if (!commit)
        return std::unexpected(commit.error());
    return oidText(git_commit_id(commit->get()));
}

Result<CommitInfo> GitRefs::commit(const QString &ref) const
{
    auto commit = lookupCommit(*this, ref);
    if (!commit)
        return std::unexpected(commit.error());
    return describe(commit->get());
}

Result<QList<CommitInfo>> GitRefs::commits(const QString &ref, int limit) const
{
    if (limit < 1)
        return fail(tr("The number of commits must be at least 1."), {}, QStringLiteral("limit"));
    auto start = lookupCommit(*this, ref);
    if (!start)
        return std::unexpected(start.error());
    git_revwalk *rawWalk = nullptr;
    if (git_revwalk_new(&rawWalk, m_repository.get()) < 0)
        return std::unexpected(gitError(tr("Could not walk the history of %1").arg(ref)));
    const GitRevwalk walk(rawWalk);
    // Parents never before their children, even when commits share a timestamp.
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (git_revwalk_push(walk.get(), git_commit_id(start->get())) < 0)
        return std::unexpected(gitError(tr("Could not walk the history of %1").arg(ref)));
    QList<CommitInfo> commits;
    git_oid id;
    while (commits.size() < limit) {
        const int next = git_revwalk_next(&id, walk.get());
        if (next == GIT_ITEROVER)
            break;
        git_commit *raw = nullptr;
        if (next < 0 || git_commit_lookup(&raw, m_repository.get(), &id) < 0)
            return std::unexpected(gitError(tr("Could not walk the history of %1").arg(ref)));
        const GitCommit commit(raw);
        commits.append(describe(commit.get()));
    }
    return commits;
}

} // namespace rd
