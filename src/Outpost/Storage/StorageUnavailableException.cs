namespace Outpost.Storage;

/// <summary>The database could not be reached or prepared at start-up; the message says where and why (never a password).</summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
