#pragma once

#include "inventory/environment.h"
#include "inventory/server.h"
#include "inventorypanes/inventorypane.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;

namespace rd {

class EnvironmentTableModel;
class ServerListModel;

// Environments and their ordered servers. Servers are dragged from "All servers" into the
// environment (at the drop position), reordered inside it, dragged back out to remove them, or
// dropped straight onto an environment in the list. Each change is saved at once.
class EnvironmentsPane : public InventoryPane
{
    Q_OBJECT

public:
    explicit EnvironmentsPane(InventoryStore &store, QWidget *parent = nullptr);

    void reload() override;
    int itemCount() const override;

    // The operations behind the drops and buttons; each saves and reloads.
    void insertServers(const QList<qint64> &serverIds, int position);
    void removeServers(const QList<qint64> &serverIds);
    // The servers of the environment in the form, in order.
    void changeMembers(const QList<qint64> &serverIds);
    void appendServers(qint64 environmentId, const QList<qint64> &serverIds);

protected:
    QList<Error> validateForm() const override;
    void loadForm(qint64 id) override;
    Result<qint64> saveForm(qint64 id) override;
    Result<> removeItem(qint64 id) override;
    void refreshKeptForm(qint64 id) override;
    QString itemName(qint64 id) const override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    Environment formEnvironment() const;
    void saveServers(qint64 environmentId, const QList<qint64> &serverIds);
    void showMembers(qint64 id, const QString &environmentName, const QList<qint64> &serverIds);
    QWidget *createServerLists();
    QList<qint64> selectedIn(QTableView *view, QSortFilterProxyModel *proxy, ServerListModel *model) const;
    void updateServerButtons();

    EnvironmentTableModel *m_environments;
    ServerListModel *m_pool;
    ServerListModel *m_members;
    QSortFilterProxyModel *m_poolProxy;
    QHash<qint64, Server> m_serverById;
    QList<qint64> m_memberIds;

    QComboBox *m_project;
    QLineEdit *m_name;
    QLineEdit *m_deployRoot;
    QPlainTextEdit *m_sharedPaths;
    QSpinBox *m_parallelism;
    QComboBox *m_strategy;

    QLineEdit *m_poolFilter = nullptr;
    QTableView *m_poolView = nullptr;
    QTableView *m_memberView = nullptr;
    QPushButton *m_addServersButton = nullptr;
    QPushButton *m_removeServersButton = nullptr;
    QLabel *m_membersTitle = nullptr;
};

} // namespace rd
