#pragma once

#include "common/error.h"

#include <QHash>
#include <QWidget>

#include <functional>

class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QVBoxLayout;

namespace rd {

class EntityTableModel;
class InventoryStore;

// The common frame of an inventory pane: a header, a filterable table, an editor form whose
// fields show their validation messages right under them, Add / Save / Delete, and a banner for
// what the store refused. Subclasses fill the form and talk to the store.
class InventoryPane : public QWidget
{
    Q_OBJECT

public:
    InventoryPane(InventoryStore &store, const QString &title, const QString &subtitle, QWidget *parent = nullptr);

    // Re-reads the store and keeps the current selection where it still exists.
    virtual void reload() = 0;
    virtual int itemCount() const = 0;
    qint64 currentId() const { return m_currentId; }
    // Shows the item with this id in the editor (0: a new, empty one).
    void selectItem(qint64 id);
    QString storeErrorText() const;
    bool hasUnsavedEdits() const { return m_edited; }

    // Answers a yes/no question such as "Delete prod?"; the default shows a message box, tests
    // install their own answer.
    using Confirmation = std::function<bool(const QString &question)>;
    void setConfirmation(Confirmation confirm) { m_confirm = std::move(confirm); }
    // What else is deleted with an item (a project's environments), named in the delete question.
    using DeletionConsequences = std::function<QStringList(qint64 id)>;
    void setDeletionConsequences(DeletionConsequences consequences) { m_consequences = std::move(consequences); }

signals:
    // Emitted after this pane changed the store and reloaded itself; the others should reload.
    void inventoryChanged();

protected:
    // The standard layout: table on the left, form and buttons on the right.
    void setupStandardLayout(EntityTableModel *model, QFormLayout *form, const QString &filterHint);
    // Its parts, for panes that arrange them differently.
    QWidget *createItemList(EntityTableModel *model, const QString &filterHint);
    QWidget *createEditor(QFormLayout *form);
    QFormLayout *createForm();
    // Adds `editor` to the form with a red message line under it for the validation `field`.
    QWidget *addField(QFormLayout *form, const QString &label, QWidget *editor, const QString &field);
    // Shows each error under its field (or in the banner when no field shows it); true when none.
    bool showFieldErrors(const QList<Error> &errors);
    void showStoreError(const Error &error);
    void clearStoreError();
    // Connect every editor's change signal here: validates and enables Save accordingly.
    void markEdited();
    void revalidate();
    QList<qint64> selectedIds() const;
    QVBoxLayout *contentLayout() const { return m_content; }
    QPushButton *createButton(const QString &text, const QString &objectName);
    QWidget *buttonRow();
    void setItemCountText(const QString &text);
    // Ends every reload(): shows the current item again, or a new one when it is gone. A form with
    // unsaved edits is kept as typed; only refreshKeptForm() runs for it.
    void afterReload();
    // Refreshes the parts of a kept, edited form that come from elsewhere (lists, tables).
    virtual void refreshKeptForm(qint64 id) { Q_UNUSED(id) }
    // How the item is named in questions; the default is the text of its first column.
    virtual QString itemName(qint64 id) const;

    virtual QList<Error> validateForm() const = 0;
    virtual void loadForm(qint64 id) = 0; // 0: defaults for a new item
    // Checks too slow for the window's thread (a key's passphrase) start here, on a worker; true
    // when one started, and then `done` is called on this thread when it ends. saveForm() follows.
    virtual bool startPreparingSave(std::function<void()> done)
    {
        Q_UNUSED(done)
        return false;
    }
    virtual Result<qint64> saveForm(qint64 id) = 0;
    virtual Result<> removeItem(qint64 id) = 0;

    InventoryStore &m_store;
    EntityTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QPushButton *m_addButton = nullptr;
    QPushButton *m_saveButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
    QLabel *m_formTitle = nullptr;
    qint64 m_currentId = 0;
    bool m_loading = false;
    bool m_edited = false;

private:
    void onSelectionChanged();
    void save();
    void finishSave();
    void removeSelected();
    void highlightRow(qint64 id);
    bool confirm(const QString &question, const QString &acceptText);
    // True when there is nothing unsaved, or the user agrees to discard it.
    bool confirmDiscard();

    QVBoxLayout *m_content = nullptr;
    QLabel *m_storeError = nullptr;
    QLabel *m_countLabel = nullptr;
    QHash<QString, QLabel *> m_fieldErrors;
    Confirmation m_confirm;
    DeletionConsequences m_consequences;
};

} // namespace rd
