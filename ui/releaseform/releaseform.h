#pragma once

#include "git/gitchanges.h"
#include "git/gitrefs.h"
#include "release/releaseplanner.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLayout;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTabWidget;
class QTreeWidget;

namespace rd {

class HookEditor;
class InventoryStore;
class ServerLaneList;
class Workspace;

// The release task form (seed 004's page): environment, description, branch and commit or tag from
// the project's local mirror, what is going out against the live release, kind, the servers with a
// canary lane filled by dragging, hooks per stage from templates, health check and schedule.
// Reading the mirror runs off the GUI thread; the form only builds a ReleaseRequest.
class ReleaseForm : public QWidget
{
    Q_OBJECT

public:
    ReleaseForm(Workspace &workspace, QWidget *parent = nullptr);
    ~ReleaseForm() override;

    // Re-reads environments, servers and templates (after inventory edits).
    void reload();
    // Selects "project/env" if it exists.
    bool selectEnvironment(const QString &project, const QString &environment);
    // The request as the form stands, or the first problem (its field is the widget's objectName).
    Result<ReleaseRequest> request() const;
    // Waits are for tests and the demo: true once the mirror's refs (and commits) have been read.
    bool refsLoaded() const { return m_refsLoaded; }
    QStringList canaries() const;
    void setKind(ReleaseKind kind);

signals:
    void startRequested(const rd::ReleaseRequest &request, bool fetchFirst);
    void planRequested(const rd::ReleaseRequest &request);
    void refsChanged();

private:
    struct Refs
    {
        QList<BranchInfo> branches;
        QList<TagInfo> tags;
        QString liveCommit; // of the environment's last successful task
        QString error;
    };
    struct Changes
    {
        QString target;
        ChangeSet set;
        QString error;
    };
    struct Commits
    {
        QString branch;
        QList<CommitInfo> commits;
        QString error;
    };

    QWidget *buildSourceBox();
    QWidget *buildKindBox();
    QWidget *buildServersBox();
    QWidget *buildHooksBox();
    QWidget *buildChangesBox();
    QLayout *buildScheduleRow();
    QLayout *buildButtonsRow();
    void environmentChanged();
    void loadRefs();
    void refsRead();
    void loadCommits();
    void commitsRead();
    void changesRead();
    void loadChanges();
    void kindChanged();
    QString selectedRef() const;
    QString selectedCommit() const;
    void start();
    void showError(const Error &error);
    QString mirrorPath() const;

    Workspace &m_workspace;
    InventoryStore &m_store;
    QLabel *m_banner;
    QComboBox *m_environment;
    QLineEdit *m_description;
    QRadioButton *m_useBranch;
    QRadioButton *m_useTag;
    QComboBox *m_branch;
    QTreeWidget *m_commits;
    QComboBox *m_tag;
    QLabel *m_selection;
    QTreeWidget *m_changes;
    QLabel *m_changesSummary;
    QComboBox *m_kind;
    QSpinBox *m_batchSize;
    QSpinBox *m_failureBudget;
    QSpinBox *m_soak;
    QCheckBox *m_wholePackage;
    ServerLaneList *m_servers;
    ServerLaneList *m_canaryLane;
    QLabel *m_canaryHint;
    QTabWidget *m_hookTabs;
    HookEditor *m_buildHook;
    HookEditor *m_beforeRelease;
    HookEditor *m_afterRelease;
    QLineEdit *m_healthCommand;
    QLineEdit *m_healthUrl;
    QSpinBox *m_healthStatus;
    QCheckBox *m_scheduleEnabled;
    QDateTimeEdit *m_scheduleAt;
    QCheckBox *m_fetchFirst;
    QPushButton *m_fetchNow;
    QPushButton *m_planButton;
    QPushButton *m_startButton;
    QFutureWatcher<Refs> m_refsWatcher;
    QFutureWatcher<Commits> m_commitsWatcher;
    QFutureWatcher<Changes> m_changesWatcher;
    QFutureWatcher<QString> m_fetchWatcher;
    std::shared_ptr<std::atomic_bool> m_fetchCancel = std::make_shared<std::atomic_bool>(false);
    QString m_liveCommit;
    bool m_refsLoaded = false;
    int m_generation = 0; // drops results of an environment no longer selected
};

} // namespace rd
